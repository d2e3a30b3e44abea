/* Rating and problem report on a station's public page: JSON to the public API, message shown as is. */
(function () {
  "use strict";
  function csrf() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); return m ? m[1] : ""; }
  var stars = document.getElementById("stars");
  stars.addEventListener("change", function () {
    var value = parseInt(stars.querySelector("input:checked").value, 10);
    stars.querySelectorAll("label").forEach(function (l, i) { l.classList.toggle("on", i < value); });
  });
  function wire(form, body) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var out = form.querySelector("[data-result]");
      fetch(form.dataset.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body(form))
      }).then(function (r) { return r.json(); }).then(function (d) { out.textContent = d.message || "已提交"; })
        .catch(function () { out.textContent = "网络不可用，请稍后再试"; });
    });
  }
  wire(document.getElementById("rate-form"), function (f) {
    var checked = f.querySelector("input[name=stars]:checked");
    return { stars: checked ? parseInt(checked.value, 10) : 0, comment: f.comment.value };
  });
  wire(document.getElementById("problem-form"), function (f) { return { kind: f.kind.value, text: f.text.value }; });
})();
