/* Draws the network described by the JSON in #network-data with vis-network.
   Tooltips are DOM elements filled with textContent, so names never run as HTML.
   Large networks arrive with clusters: a cluster is one node until clicked.
   A page may carry only the clusters and the links counted between them
   ("bundles"); then a cluster's members are fetched from data-members-url
   when it is clicked. */
(function () {
  "use strict";
  var holder = document.getElementById("network");
  var source = document.getElementById("network-data");
  if (!holder || !source || typeof vis === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var expanded = {}, loading = {}, known = {}, links = {};
  var membersUrl = holder.getAttribute("data-members-url");
  var status = document.getElementById("network-status");

  function say(text) { if (status) { status.textContent = text; } }
  data.nodes.forEach(function (n) { known[n.id] = n; });
  data.edges.forEach(function (e) { links[e.id] = e; });
  var HIGHLIGHT = "#c00000";
  var PREFIX = "cluster:";

  function tip(text) {
    var el = document.createElement("div");
    el.className = "network-tip";
    el.textContent = text;
    return el;
  }

  function legend() {
    var box = document.getElementById("network-legend");
    if (!box) { return; }
    box.textContent = "";
    data.legend.forEach(function (item) {
      var span = document.createElement("span");
      var dot = document.createElement("i");
      dot.style.background = item.colour;
      span.appendChild(dot);
      span.appendChild(document.createTextNode(item.label));
      box.appendChild(span);
    });
    var hi = document.createElement("span");
    var ring = document.createElement("i");
    ring.className = "ring";
    hi.appendChild(ring);
    hi.appendChild(document.createTextNode("needs attention (gap, broker, single point of failure)"));
    box.appendChild(hi);
    (data.tie_legend || []).forEach(function (item) {
      var span = document.createElement("span");
      var bar = document.createElement("i");
      bar.className = "tie";
      bar.style.background = item.colour;
      span.appendChild(bar);
      span.appendChild(document.createTextNode("link: " + item.label));
      box.appendChild(span);
    });
  }

  function nodeView(n) {
    return {
      id: n.id, label: n.label, title: tip(n.tip), value: 1 + 20 * n.size, shape: "dot",
      color: { background: n.colour, border: n.highlight ? HIGHLIGHT : n.colour },
      borderWidth: n.highlight ? 5 : 1, opacity: n.inactive ? 0.4 : 1
    };
  }

  /* The node an end of a link is drawn as: itself, or its cluster while that is closed. */
  function shownAs(id, cluster) {
    var n = known[id];
    if (!data.clusters) { return id; }
    return n && expanded[n.cluster] ? id : PREFIX + (n ? n.cluster : cluster);
  }

  function view() {
    var nodes = [], edges = [], bundles = {};
    function bundle(a, b, count) {
      var key = a < b ? a + "|" + b : b + "|" + a;
      bundles[key] = bundles[key] || { from: a, to: b, count: 0 };
      bundles[key].count += count;
    }
    (data.clusters || []).forEach(function (c) {
      if (!expanded[c.id]) {
        nodes.push({ id: PREFIX + c.id, label: c.label + " (" + c.count + ")", shape: "dot",
                     value: c.count, color: "#9fb3c8", title: tip(c.label + ": " + c.count +
                     " organisations. Click to expand.") });
      }
    });
    Object.keys(known).forEach(function (id) {
      var n = known[id];
      if (!data.clusters || expanded[n.cluster]) { nodes.push(nodeView(n)); }
    });
    Object.keys(links).forEach(function (id) {
      var e = links[id];
      var a = shownAs(e.from, e.from_cluster), b = shownAs(e.to, e.to_cluster);
      if (a === e.from && b === e.to) {
        edges.push({ id: e.id, from: a, to: b, title: tip(e.tip), arrows: e.directed ? "to" : "",
                     dashes: e.status !== "active",
                     color: e.colour ? { color: e.colour, opacity: 0.9 } : { opacity: 0.6 }, width: e.colour ? 2 : 1 });
      } else if (a !== b) {
        bundle(a, b, 1);
      }
    });
    (data.bundles || []).forEach(function (b) {
      if (!expanded[b.from] && !expanded[b.to]) { bundle(PREFIX + b.from, PREFIX + b.to, b.count); }
    });
    Object.keys(bundles).forEach(function (key) {
      var b = bundles[key];
      edges.push({ id: "bundle:" + key, from: b.from, to: b.to, value: b.count,
                   title: tip(b.count + " links"), color: { opacity: 0.3 } });
    });
    return { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) };
  }

  var options = {
    layout: { improvedLayout: !data.clusters && data.nodes.length <= 150 },
    physics: { solver: "barnesHut", stabilization: { iterations: 150 },
               barnesHut: { gravitationalConstant: -4000, springLength: 120 } },
    interaction: { hover: true, tooltipDelay: 150 },
    nodes: { font: { size: 12 }, scaling: { min: 6, max: 40 } },
    edges: { smooth: false, scaling: { min: 1, max: 8 } }
  };
  legend();
  var network = new vis.Network(holder, { nodes: [], edges: [] }, options);
  network.once("afterDrawing", function () {
    window.cssnetFirstRender = performance.now();
    holder.setAttribute("data-rendered", String(window.cssnetFirstRender));
  });
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    holder.setAttribute("data-stable", "1");
  });
  function expand(cluster) {
    expanded[cluster] = true;
    holder.removeAttribute("data-stable");
    network.setOptions({ physics: true });
    network.setData(view());
  }

  function fetchMembers(cluster) {
    if (loading[cluster]) { return; }
    loading[cluster] = true;
    holder.setAttribute("data-loading", cluster);
    say("Opening " + cluster + "…");
    var query = new URLSearchParams(window.location.search);
    query.set("cluster", cluster);
    fetch(membersUrl + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.message || "HTTP " + response.status); }
          return body;
        });
      })
      .then(function (got) {
        got.nodes.forEach(function (n) { known[n.id] = n; });
        got.edges.forEach(function (e) { links[e.id] = e; });
        holder.removeAttribute("data-loading");
        say("");
        expand(cluster);
      })
      .catch(function (error) {
        loading[cluster] = false;
        holder.removeAttribute("data-loading");
        holder.setAttribute("data-error", "Could not open " + cluster + ": " + error.message);
        say("Could not open " + cluster + ": " + error.message + " Click it to try again.");
      });
  }

  network.on("click", function (params) {
    var id = params.nodes.length ? String(params.nodes[0]) : "";
    if (id.indexOf(PREFIX) !== 0) { return; }
    var cluster = id.slice(PREFIX.length);
    if (data.bundles && membersUrl) { fetchMembers(cluster); } else { expand(cluster); }
  });
  network.on("doubleClick", function (params) {
    var id = params.nodes.length ? String(params.nodes[0]) : "";
    var base = holder.getAttribute("data-organisation-url");
    if (base && id && id.indexOf(PREFIX) !== 0) { window.location.href = base + encodeURIComponent(id); }
  });
  network.setData(view());
  window.cssnetNetwork = network;
})();
