/* The monitoring form: each report goes into the phone's queue (queue.js) and is sent from there, now or
   when the connection returns; the status line says how many wait. The service worker (/sw.js) keeps
   this page usable without signal. */
(function () {
  "use strict";
  var form = document.getElementById("monitoring-form");
  if (!form || !window.CssnetQueue) { return; }
  var status = document.getElementById("queue-status");
  var problem = document.getElementById("queue-error");
  var queue = window.CssnetQueue;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { return null; });
  }

  function today() {
    var now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }
  var day = document.getElementById("f-date");
  if (!day.value) { day.value = today(); }
  day.max = today();

  function show(outcome) {
    return queue.all().then(function (waiting) {
      status.setAttribute("data-waiting", String(waiting.length));
      var sent = outcome ? outcome.results.filter(function (r) { return r.sent; }).length : 0;
      var parts = [];
      if (sent) { parts.push(queue.counted("sent", sent)); }
      if (waiting.length) {
        var why = outcome && outcome.stopped && outcome.stopped.status ? outcome.stopped.message
          : queue.word("no_connection");
        parts.push(queue.counted("kept", waiting.length, { why: why }));
      } else if (!sent) {
        parts.push(queue.word("nothing_to_send"));
      }
      status.textContent = parts.join(" ");
      var refused = outcome ? outcome.results.filter(function (r) { return r.refused; }) : [];
      problem.hidden = refused.length === 0;
      problem.textContent = refused.map(function (r) {
        return queue.word("report_refused", { why: r.refused.message || queue.word("not_stored") });
      }).join(" ");
    });
  }

  function flush() { return queue.flush().then(show); }

  function body() {
    var data = new FormData(form);
    return {
      monitor: data.get("monitor"), facility: data.get("facility"), date: data.get("date"),
      barriers: data.getAll("barriers"), note: (data.get("note") || "").trim(), escalation: data.get("escalation")
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var report = body();
    if (report.barriers.length === 0) {
      problem.hidden = false;
      problem.textContent = queue.word("tick_one");
      return;
    }
    queue.add(form.getAttribute("data-api"), report).then(function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) { box.checked = false; });
      form.querySelector("[name=note]").value = "";
      return show(null);
    }).then(function () {
      if (navigator.serviceWorker && navigator.serviceWorker.ready && window.SyncManager) {
        navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("cssnet-queue"); })
          .catch(function () { return null; });
      }
      return flush();
    });
  });

  window.addEventListener("online", flush);
  flush();
})();
