/* The queue of submissions kept on the phone (IndexedDB) until the server has them.

   Used by the pages and by the service worker (importScripts). Each item is
   {key, url, body, queued}: `key` goes out as the Idempotency-Key header, so
   an item sent twice (by the page and the service worker, or again after a
   lost answer) is stored once. An item leaves the queue when the server has
   it (2xx) or refuses it for good (another 4xx); it stays while there is no
   connection, the server is busy (5xx, 408, 429) or the sign-in has lapsed
   (401, 403). On a page, word() gives the page's words in its language (the JSON block #queue-words). */
(function (scope) {
  "use strict";
  var DB = "cssnet-queue", STORE = "submissions";
  var KEEP = [401, 403, 408, 429];

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    scope.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function add(url, body) {
    var item = { key: newKey(), url: url, body: body, queued: new Date().toISOString() };
    return run("readwrite", function (store) { store.put(item); }).then(function () { return item; });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }); }

  function send(item) {
    return fetch(item.url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(item.body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": item.key }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        if (response.ok) { return remove(item.key).then(function () { return { item: item, sent: payload }; }); }
        if (response.status >= 500 || KEEP.indexOf(response.status) >= 0) {
          var stop = new Error(payload.message || word("not_sent"));
          stop.status = response.status;
          throw stop;
        }
        return remove(item.key).then(function () {
          return { item: item, refused: payload, status: response.status };
        });
      });
    });
  }

  var flushing = null;

  /* The page's word `key` with each %(name)s filled in from `values` (the key itself when the page has none). */
  function word(key, values) {
    var block = scope.document && scope.document.getElementById("queue-words");
    var text = (block && JSON.parse(block.textContent)[key]) || key;
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  /* `key`_one for one, `key`_many (with %(num)s) for more. */
  function counted(key, n, values) {
    var given = { num: n };
    Object.keys(values || {}).forEach(function (name) { given[name] = values[name]; });
    return word(key + (n === 1 ? "_one" : "_many"), given);
  }

  /* Send every queued item, oldest first, one at a time; stop at the first that cannot go yet.
     Resolves to {results, stopped} (stopped: the error that stopped it, if any). */
  function flush() {
    if (flushing) { return flushing; }
    var results = [];
    flushing = all().then(function (items) {
      items.sort(function (a, b) { return a.queued < b.queued ? -1 : 1; });
      return items.reduce(function (chain, item) {
        return chain.then(function () { return send(item).then(function (r) { results.push(r); }); });
      }, Promise.resolve());
    }).then(function () { return { results: results, stopped: null }; },
            function (error) { return { results: results, stopped: error }; })
      .then(function (outcome) { flushing = null; return outcome; });
    return flushing;
  }

  scope.CssnetQueue = { add: add, all: all, remove: remove, flush: flush, word: word, counted: counted };
})(self);
