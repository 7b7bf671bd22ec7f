/* cssnet's service worker: keeps the monitoring form and the referral inbox (and their scripts and styles) usable without signal,
   and sends the queued submissions (queue.js) when the connection returns.
   Pages are fetched from the network first and from the cache when there is none; writes are never cached
   or answered here: the page queues them itself. /sw.js serves this file with OFFLINE in the page's language. */
importScripts("/assets/queue.js");

var CACHE = "cssnet-offline-v1";
var OFFLINE = "You are offline and this page was not kept on this phone.";
var PAGES = ["/monitoring", "/referrals/inbox"];
var ASSETS = ["/assets/site.css", "/assets/print.css", "/assets/queue.js", "/assets/monitoring.js",
              "/assets/favicon.svg", "/assets/inbox.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(PAGES.concat(ASSETS).map(function (url) {
      return cache.add(new Request(url, { credentials: "same-origin" })).catch(function () { return null; });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return url.origin === self.location.origin &&
    (PAGES.indexOf(url.pathname) >= 0 || ASSETS.indexOf(url.pathname) >= 0);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !kept(new URL(request.url))) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: true }).then(function (found) {
      return found || new Response(OFFLINE,
                                   { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "cssnet-queue") { event.waitUntil(self.CssnetQueue.flush()); }
});
