/* Distributor's phone page: scan or look up a worker, one tap issues; offline records queue in
   IndexedDB with a client idempotency key and sync when the network returns. No framework. */
(function () {
  "use strict";
  var root = document.getElementById("distribute");
  if (!root) return;
  var API = root.dataset.api, CAMPAIGN = root.dataset.campaign, CSRF = root.dataset.csrf;
  var $ = function (id) { return document.getElementById(id); };
  var state = { recipient: null, label: "" };
  var DB_NAME = "gonghui-welfare", STORE = "queue", CONFLICTS = "conflicts";

  // ------------------------------------------------------------ storage
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "idempotency_key" });
        if (!db.objectStoreNames.contains(CONFLICTS)) db.createObjectStore(CONFLICTS, { keyPath: "idempotency_key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(store, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), s = t.objectStore(store), out = fn(s);
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  var all = function (store) { return tx(store, "readonly", function (s) { return s.getAll(); }); };
  var put = function (store, v) { return tx(store, "readwrite", function (s) { s.put(v); }); };
  var del = function (store, k) { return tx(store, "readwrite", function (s) { s.delete(k); }); };

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ------------------------------------------------------------ ui helpers
  function text(el, value) { el.textContent = value; return el; }
  function show(kind, message) { var r = $("result"); r.hidden = false; r.className = "d-result " + kind; text(r, message); }
  function setNet() {
    var on = navigator.onLine, n = $("net");
    n.className = "badge " + (on ? "badge-ok" : "badge-warn");
    text(n, on ? "在线" : "离线");
  }
  function li(left, right, cls) {
    var el = document.createElement("li");
    el.appendChild(text(document.createElement("span"), left));
    var r = text(document.createElement("span"), right || ""); if (cls) r.className = cls;
    el.appendChild(r); return el;
  }
  function fmt(iso) { var d = new Date(iso); return isNaN(d) ? iso : d.toLocaleString("zh-CN", { hour12: false }); }
  function remember(key, value) { try { localStorage.setItem("welfare:" + CAMPAIGN + ":" + key, value); } catch (e) { /* private mode */ } }
  function recall(key) { try { return localStorage.getItem("welfare:" + CAMPAIGN + ":" + key); } catch (e) { return null; } }

  function api(path, body) {
    return fetch(API + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    });
  }

  // ------------------------------------------------------------ recipient
  function choose(recipient, label) {
    state.recipient = recipient; state.label = label;
    $("who").hidden = false; $("result").hidden = true;
    text($("who-name"), label);
    text($("who-detail"), navigator.onLine ? "正在核验…" : "离线：发放后将在同步时核验");
    $("who-received").innerHTML = "";
    if (!navigator.onLine) return;
    api("lookup/", { recipient: recipient }).then(function (r) {
      if (r.status === 200) {
        text($("who-name"), r.data.name);
        text($("who-detail"), r.data.member ? "会员" : "已登记的非会员");
        (r.data.received || []).forEach(function (x) {
          $("who-received").appendChild(li("已领：" + x.item_name, x.point + " " + fmt(x.issued_at)));
        });
      } else {
        text($("who-detail"), r.data.message || "未找到");
      }
    }).catch(function () { text($("who-detail"), "离线：发放后将在同步时核验"); });
  }

  $("lookup").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = $("query").value.replace(/\s+/g, "");
    if (!q) return;
    var isPhone = /^(?:\+?86)?1[3-9]\d{9}$/.test(q);
    var spec = isPhone ? { phone: q } : { id_number: q.toUpperCase() };
    var masked = isPhone ? q.slice(0, 3) + "****" + q.slice(-4) : q.slice(0, 6) + "********" + q.slice(-4);
    choose(spec, masked);
  });

  // ------------------------------------------------------------ issue (online, else queue)
  function record() {
    return { idempotency_key: uuid(), campaign: CAMPAIGN, point: $("point").value, item: $("item").value,
             item_name: $("item").selectedOptions[0].textContent, recipient: state.recipient, issued_at: new Date().toISOString(), label: state.label };
  }
  function queue(rec, why) {
    return put(STORE, rec).then(function () {
      show("queued", (why || "离线") + "：已记录「" + rec.label + "」，联网后自动同步");
      refresh();
    });
  }
  function addRecent(label, detail) {
    var list = $("recent"); list.insertBefore(li(label, detail), list.firstChild);
    while (list.children.length > 10) list.removeChild(list.lastChild);
  }
  $("issue").addEventListener("click", function () {
    if (!state.recipient) return;
    var rec = record(), btn = $("issue");
    btn.disabled = true;
    var done = function () { btn.disabled = false; state.recipient = null; $("who").hidden = true; $("query").value = ""; };
    if (!navigator.onLine) { queue(rec).then(done); return; }
    api("issue/", { recipient: rec.recipient, item: rec.item, point: rec.point, idempotency_key: rec.idempotency_key })
      .then(function (r) {
        if (r.status >= 500) { return queue(rec, "服务器繁忙").then(done); }  // same key: a retry never doubles
        if (r.status === 201 || r.status === 200) {
          show("ok", "已发放：" + r.data.item_name + " → " + r.data.recipient);
          addRecent(r.data.recipient + " " + r.data.item_name, fmt(r.data.issued_at));
        } else if (r.data.code === "already_issued") {
          show("warn", r.data.message || "已领取过");
        } else {
          show("err", r.data.message || ("发放失败（" + r.status + "）"));
        }
        done();
      })
      .catch(function () { queue(rec, "网络中断").then(done); });
  });

  // ------------------------------------------------------------ non-member registration
  $("register").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target, body = {
      point: $("point").value, name: f.name.value, id_number: f.id_number.value, phone: f.phone.value,
      target_group: f.target_group.value, accept_membership: f.accept_membership.checked
    };
    if (!navigator.onLine) { show("err", "登记非会员需要联网"); return; }
    api("register/", body).then(function (r) {
      if (r.status === 201) {
        $("register-box").open = false; f.reset();
        choose({ id_number: body.id_number.toUpperCase() }, r.data.name);
        if (r.data.membership === "pending") show("ok", "已登记为待确认会员");
        else if (r.data.membership === "requested") show("ok", "已记录入会意向，由工会确认");
      } else {
        show("err", r.data.message || "登记失败");
      }
    });
  });

  // ------------------------------------------------------------ sync
  var syncing = false;
  function sync() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    return all(STORE).then(function (rows) {
      rows = rows.filter(function (r) { return String(r.campaign) === String(CAMPAIGN); });
      if (!rows.length) return;
      var byPoint = {};
      rows.forEach(function (r) { (byPoint[r.point] = byPoint[r.point] || []).push(r); });
      var counts = {};
      var chain = Promise.resolve();
      Object.keys(byPoint).forEach(function (point) {
        var list = byPoint[point];
        for (var i = 0; i < list.length; i += 500) {
          (function (chunk) {
            chain = chain.then(function () {
              return api("sync/", { point: point, records: chunk.map(function (r) {
                return { idempotency_key: r.idempotency_key, recipient: r.recipient, item: r.item, issued_at: r.issued_at };
              }) }).then(function (res) {
                if (res.status !== 200) throw new Error(res.data.message || ("同步失败（" + res.status + "）"));
                var byKey = {}; chunk.forEach(function (r) { byKey[r.idempotency_key] = r; });
                return Promise.all(res.data.results.map(function (result, idx) {
                  var r = chunk[idx] || byKey[result.idempotency_key];
                  counts[result.status] = (counts[result.status] || 0) + 1;
                  var next = del(STORE, r.idempotency_key);
                  if (result.status === "issued" || result.status === "duplicate_key") {
                    addRecent(r.label + "（离线）", "已同步");
                    return next;
                  }
                  r.result = result;
                  return next.then(function () { return put(CONFLICTS, r); });
                }));
              });
            });
          })(list.slice(i, i + 500));
        }
      });
      return chain.then(function () {
        var names = { issued: "入账", duplicate_key: "重复提交", already_issued: "已在他处领取", out_of_stock: "库存不足", invalid: "无效" };
        var r = $("result"); if (r.classList.contains("queued")) r.hidden = true;  // the queued notice is settled
        text($("sync-result"), "同步完成：" + Object.keys(counts).map(function (k) { return (names[k] || k) + " " + counts[k]; }).join("，"));
      });
    }).catch(function (err) { text($("sync-result"), "同步未完成：" + err.message); })
      .then(function () { syncing = false; return refresh(); });
  }
  $("sync").addEventListener("click", sync);

  function refresh() {
    return Promise.all([all(STORE), all(CONFLICTS)]).then(function (res) {
      var q = res[0].filter(function (r) { return String(r.campaign) === String(CAMPAIGN); });
      var c = res[1].filter(function (r) { return String(r.campaign) === String(CAMPAIGN); });
      text($("qcount"), String(q.length));
      var ql = $("queue"); ql.innerHTML = "";
      q.forEach(function (r) { ql.appendChild(li(r.label + " · " + (r.item_name || r.item), fmt(r.issued_at))); });
      var cl = $("conflicts"); cl.innerHTML = "";
      if (!c.length) cl.appendChild(li("暂无", ""));
      c.forEach(function (r) {
        var msg = (r.result && (r.result.message || r.result.status)) || "";
        cl.appendChild(li(r.label + " · " + (r.item_name || r.item), msg, "badge badge-warn"));
      });
    });
  }

  // ------------------------------------------------------------ camera scanning
  var stream = null, detector = null, scanning = false;
  function stopScan() {
    scanning = false; $("camera").hidden = true;
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  }
  function found(token) {
    stopScan();
    choose({ card: token }, "会员码已读取");
  }
  function tick() {
    if (!scanning) return;
    var video = $("video");
    if (video.readyState < 2) { requestAnimationFrame(tick); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue); else requestAnimationFrame(tick);
      }).catch(function () { detector = null; requestAnimationFrame(tick); });
      return;
    }
    var canvas = $("frame"), w = video.videoWidth, h = video.videoHeight;
    canvas.width = w; canvas.height = h;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    var code = window.jsQR ? window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" }) : null;
    if (code && code.data) found(code.data); else requestAnimationFrame(tick);
  }
  $("scan").addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("err", "此浏览器无法使用摄像头，请按手机号或身份证号查找"); return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s; var video = $("video"); video.srcObject = s; video.play();
      $("camera").hidden = false; scanning = true;
      if ("BarcodeDetector" in window) {
        try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
      }
      requestAnimationFrame(tick);
    }).catch(function () { show("err", "无法打开摄像头，请检查权限或按手机号/身份证号查找"); });
  });
  $("stopscan").addEventListener("click", stopScan);

  // ------------------------------------------------------------ start
  ["point", "item"].forEach(function (id) {
    var saved = recall(id), el = $(id);
    if (saved && Array.prototype.some.call(el.options, function (o) { return o.value === saved; })) el.value = saved;
    el.addEventListener("change", function () { remember(id, el.value); });
  });
  window.addEventListener("online", function () { setNet(); sync(); });
  window.addEventListener("offline", setNet);
  setNet(); refresh().then(sync);
  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/welfare/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // Cache this page and everything it loaded, so it opens again without network.
      var urls = [location.pathname];
      document.querySelectorAll("script[src],link[rel=stylesheet][href],link[rel=icon][href]").forEach(function (el) {
        urls.push(el.getAttribute("src") || el.getAttribute("href"));
      });
      if (reg.active) reg.active.postMessage({ type: "cache", urls: urls });
      root.dataset.swReady = "1";
    }).catch(function () { /* no offline shell: the page still works online */ });
  }
  window.welfareSync = sync;
})();
