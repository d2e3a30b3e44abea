/* Rider's page: nearest open stations from the phone's location. No framework, no network but our API
   (and the tile server when one is configured). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("near-config").textContent);
  var mapCfg = JSON.parse(document.getElementById("map-config").textContent);
  var statusEl = document.getElementById("status");
  var list = document.getElementById("results");
  var empty = document.getElementById("empty");
  var state = { lat: null, lng: null, amenities: [], any: false };
  var LABELS = {};
  document.querySelectorAll("#chips .chip").forEach(function (chip) { LABELS[chip.dataset.code] = chip.textContent; });

  // WGS-84 → GCJ-02 for drawing on GCJ-02 tiles (高德); the same public algorithm as rules.py.
  function outOfChina(lat, lng) { return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function toMap(lat, lng) {
    if (mapCfg.tiles_crs !== "gcj02" || outOfChina(lat, lng)) { return [lat, lng]; }
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var rad = lat / 180 * Math.PI, m = 1 - ee * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(m);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (m * sm) * Math.PI);
    dLng = (dLng * 180) / (a / sm * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }

  var map = null, layer = null;
  if (mapCfg.tiles && window.L) {
    map = L.map("map", { zoomControl: true, attributionControl: !!mapCfg.attribution });
    L.tileLayer(mapCfg.tiles, { maxZoom: 18, subdomains: mapCfg.subdomains, attribution: mapCfg.attribution }).addTo(map);
    map.setView([39.9087, 116.3975], 12);
    layer = L.layerGroup().addTo(map);
  }

  function distanceText(m) { return m < 1000 ? m + " 米" : (m / 1000).toFixed(m < 10000 ? 1 : 0) + " 公里"; }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text !== undefined) { e.textContent = text; } return e; }

  function render(items) {
    list.innerHTML = "";
    empty.hidden = items.length > 0;
    if (layer) { layer.clearLayers(); }
    items.forEach(function (s) {
      var li = el("li", "station");
      li.dataset.id = s.id;
      var head = el("div", "station-head");
      var name = el("a", "station-name", s.name);
      name.href = cfg.detail.replace("/0/", "/" + s.id + "/");
      head.appendChild(name);
      head.appendChild(el("span", "station-dist", distanceText(s.distance_m)));
      li.appendChild(head);
      li.appendChild(el("div", "station-meta", s.address));
      var tags = el("div", "station-tags");
      var badge = el("span", "badge " + (s.open_now ? "badge-ok" : "badge-muted"), s.open_now ? "开放中" : "未开放");
      tags.appendChild(badge);
      if (s.always_open) { tags.appendChild(el("span", "badge", "24小时")); }
      s.amenities.forEach(function (c) { tags.appendChild(el("span", "badge badge-muted", LABELS[c] || c)); });
      li.appendChild(tags);
      li.appendChild(el("div", "station-meta", "营业时间：" + s.hours_text));
      var actions = el("div", "station-actions");
      var amap = el("a", "btn btn-primary btn-sm", "高德导航"); amap.href = s.nav.amap; amap.rel = "noopener";
      var baidu = el("a", "btn btn-sm", "百度导航"); baidu.href = s.nav.baidu; baidu.rel = "noopener";
      var more = el("a", "btn btn-sm", "评价 / 反馈"); more.href = name.href;
      actions.appendChild(amap); actions.appendChild(baidu); actions.appendChild(more);
      if (s.contact_phone) { var tel = el("a", "btn btn-sm", "电话"); tel.href = "tel:" + s.contact_phone; actions.appendChild(tel); }
      li.appendChild(actions);
      list.appendChild(li);
      if (layer) { L.marker(toMap(s.lat, s.lng), { title: s.name }).bindPopup(s.name).addTo(layer); }
    });
    if (map && items.length) {
      var pts = items.map(function (s) { return toMap(s.lat, s.lng); });
      pts.push(toMap(state.lat, state.lng));
      map.fitBounds(pts, { padding: [24, 24] });
    }
  }

  function load() {
    if (state.lat === null) { return; }
    var q = "?lat=" + state.lat.toFixed(6) + "&lng=" + state.lng.toFixed(6) + "&crs=wgs84&k=10";
    if (state.amenities.length) { q += "&amenities=" + state.amenities.join(","); }
    if (state.any) { q += "&open=any"; }
    statusEl.textContent = "正在查找附近的驿站…";
    fetch(cfg.api + q, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      if (!res.ok) { statusEl.textContent = res.data.message || "查询失败，请稍后再试"; render([]); return; }
      statusEl.textContent = state.label + "附近 " + res.data.length + " 个驿站" + (state.any ? "" : "（当前开放）");
      render(res.data);
    }).catch(function () { statusEl.textContent = "网络不可用，请稍后再试"; });
  }

  function locate() {
    if (!navigator.geolocation) { statusEl.textContent = "无法获取位置，请在上方选择地点"; return; }
    statusEl.textContent = "正在获取您的位置…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      state.lat = pos.coords.latitude; state.lng = pos.coords.longitude; state.label = "您";
      load();
    }, function () {
      statusEl.textContent = "未能获取位置（可能未授权），请在上方选择地点";
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  document.getElementById("use-location").addEventListener("click", locate);
  document.getElementById("place").addEventListener("change", function (e) {
    if (!e.target.value) { return; }
    var p = e.target.value.split(",");
    state.lat = parseFloat(p[0]); state.lng = parseFloat(p[1]);
    state.label = e.target.options[e.target.selectedIndex].text;
    load();
  });
  document.getElementById("chips").addEventListener("click", function (e) {
    if (e.target.id === "chips-more") {
      document.querySelectorAll(".chip-extra").forEach(function (c) { c.hidden = false; });
      e.target.hidden = true;
      return;
    }
    var chip = e.target.closest(".chip[data-code]");
    if (!chip) { return; }
    var on = chip.getAttribute("aria-pressed") !== "true";
    chip.setAttribute("aria-pressed", on ? "true" : "false");
    state.amenities = Array.prototype.map.call(document.querySelectorAll('.chip[aria-pressed="true"]'), function (c) { return c.dataset.code; });
    load();
  });
  document.getElementById("show-closed").addEventListener("change", function (e) { state.any = e.target.checked; load(); });
  locate();
})();
