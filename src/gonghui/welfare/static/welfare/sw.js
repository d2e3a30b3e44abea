/* Service worker of the distributor page (served at /welfare/sw.js, scope /welfare/).
   Pages under /welfare/: network first, cached copy when offline. Static assets: cache first.
   The API is never cached: issuance always reaches the server or waits in the page's IndexedDB queue. */
var CACHE = "gonghui-welfare-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gonghui-welfare-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "cache") {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(event.data.urls.map(function (u) {
        return fetch(u, { credentials: "same-origin" }).then(function (res) { if (res.ok) return cache.put(u, res); })
          .catch(function () { /* keep what we have */ });
      }));
    }));
  }
});
self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return res;
      });
    }));
    return;
  }
  if (req.mode === "navigate" && url.pathname.indexOf("/distribute/") > 0) {
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); }); }
      return res;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        return hit || new Response("<h1>离线</h1><p>请先在联网时打开一次发放页面。</p>",
          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
  }
});
