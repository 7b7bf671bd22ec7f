/* Saves the edit form through the JSON API (the session cookie authorises it)
   and shows the API's per-field validation messages next to each field. */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  if (!form) { return; }
  var banner = document.getElementById("form-error");

  function value(el) {
    var kind = el.getAttribute("data-kind") || "optional";
    var text = el.type === "checkbox" ? "" : el.value.trim();
    if (kind === "bool") { return el.checked; }
    if (kind === "list") { return text ? text.split(";").map(function (s) { return s.trim(); }).filter(Boolean) : []; }
    if (kind === "string") { return text; }
    if (text === "") { return null; }
    if (kind === "number" || kind === "integer") { var n = Number(text); return isNaN(n) ? text : n; }
    return text;
  }

  function body() {
    var data = {};
    Array.prototype.forEach.call(form.querySelectorAll("[name]"), function (el) {
      var v = value(el);
      if (v !== null) { data[el.name] = v; }
    });
    return data;
  }

  function show(message, errors) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-error-for]"), function (el) { el.textContent = ""; });
    banner.hidden = !message;
    banner.textContent = message || "";
    walk([], errors || {});
  }

  /* The API nests messages by location (json) and field; each list lands by the first known field name. */
  function walk(path, node) {
    if (Array.isArray(node) && node.every(function (m) { return typeof m === "string"; })) {
      var slot = null;
      path.some(function (part) {
        slot = form.querySelector('[data-error-for="' + CSS.escape(part) + '"]');
        return slot !== null;
      });
      if (slot) { slot.textContent = (slot.textContent ? slot.textContent + " " : "") + node.join(" "); }
      return;
    }
    if (node && typeof node === "object") {
      Object.keys(node).forEach(function (key) { walk(path.concat(String(key).split(".")), node[key]); });
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = body();
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    var version = form.getAttribute("data-version");
    if (version !== null) { headers["If-Match"] = '"' + version + '"'; }
    fetch(form.getAttribute("data-api"), {
      method: form.getAttribute("data-method"), headers: headers, body: JSON.stringify(data),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (payload) { return { ok: response.ok, payload: payload }; });
    }).then(function (result) {
      if (result.ok) {
        var target = form.getAttribute("data-noun") === "organisation" ? result.payload.id : result.payload.source;
        window.location.href = form.getAttribute("data-after") + encodeURIComponent(target);
      } else {
        show(result.payload.message || "Not saved.", result.payload.errors || {});
      }
    }).catch(function () { show("Not saved: the server could not be reached.", {}); });
  });
})();
