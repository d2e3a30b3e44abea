/* Organisation tree: expand and collapse; a node's children are fetched once, on first expand. */
(function () {
  "use strict";
  function currentId() {
    var m = window.location.pathname.match(/\/orgs\/(\d+)\//);
    return m ? m[1] : "";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".tree-toggle");
    if (!button) return;
    var node = button.closest(".tree-node");
    var list = node.querySelector(":scope > .tree-children");
    var open = !node.classList.contains("open");
    node.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && !node.dataset.loaded && list && window.htmx) {
      node.dataset.loaded = "1";
      node.classList.add("loading");
      htmx.ajax("GET", button.dataset.childrenUrl + "?current=" + currentId(), {target: list, swap: "innerHTML"})
        .then(function () { node.classList.remove("loading"); });
    }
  });
})();
