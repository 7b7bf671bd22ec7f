/* The referral inbox: each step goes into the phone's queue (queue.js) and is sent from there, now or when the
   connection returns. A step the server refuses (one that does not follow, or recorded already) is reported. */
(function () {
  "use strict";
  var list = document.getElementById("inbox");
  var status = document.getElementById("queue-status");
  var problem = document.getElementById("queue-error");
  var queue = window.CssnetQueue;
  if (!queue || !status) { return; }
  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js").catch(function () { return null; }); }

  function show(outcome) {
    return queue.all().then(function (waiting) {
      status.setAttribute("data-waiting", String(waiting.length));
      var sent = outcome ? outcome.results.filter(function (r) { return r.sent; }).length : 0;
      var text = sent ? queue.counted("saved", sent) + " " : "";
      text += waiting.length ? queue.counted("waiting", waiting.length) : queue.word("nothing_waiting");
      status.textContent = text;
      var refused = outcome ? outcome.results.filter(function (r) { return r.refused; }) : [];
      problem.hidden = refused.length === 0;
      problem.textContent = refused.map(function (r) { return r.refused.message || queue.word("not_saved"); }).join(" ");
    });
  }

  /* A step refused as not following (409) may be one the server recorded already, its answer lost on the way
     back: when the referral now stands at that step, it counts as saved, not as refused. */
  function settle(outcome) {
    return Promise.all(outcome.results.map(function (r) {
      if (!r.refused || r.status !== 409) { return r; }
      return fetch(r.item.url.replace(/\/status$/, ""), { credentials: "same-origin",
                                                          headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (referral) {
          return referral && referral.status === r.item.body.status ? { item: r.item, sent: referral } : r;
        }).catch(function () { return r; });
    })).then(function (results) { return { results: results, stopped: outcome.stopped }; });
  }

  function flush() { return queue.flush().then(settle).then(show); }

  if (list) {
    list.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("step-form")) { return; }
      event.preventDefault();
      var data = new FormData(form);
      var body = { status: data.get("status") };
      if (body.status === "declined") { body.reason = data.get("reason") || null; }
      var url = list.getAttribute("data-api") + "/" + encodeURIComponent(form.getAttribute("data-code")) + "/status";
      queue.add(url, body).then(function () {
        form.querySelector("button").disabled = true;
        return show(null);
      }).then(flush);
    });
  }
  window.addEventListener("online", flush);
  flush();
})();
