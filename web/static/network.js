/* Draws the network described by the JSON in #network-data with vis-network.
   Tooltips are DOM elements filled with textContent, so names never run as HTML.
   Large networks arrive with clusters: a cluster is one node until clicked. */
(function () {
  "use strict";
  var holder = document.getElementById("network");
  var source = document.getElementById("network-data");
  if (!holder || !source || typeof vis === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var expanded = {};
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
  }

  function nodeView(n) {
    return {
      id: n.id, label: n.label, title: tip(n.tip), value: 1 + 20 * n.size, shape: "dot",
      color: { background: n.colour, border: n.highlight ? HIGHLIGHT : n.colour },
      borderWidth: n.highlight ? 5 : 1, opacity: n.inactive ? 0.4 : 1
    };
  }

  function view() {
    var nodes = [], edges = [], rep = {}, bundles = {};
    (data.clusters || []).forEach(function (c) {
      if (!expanded[c.id]) {
        nodes.push({ id: PREFIX + c.id, label: c.label + " (" + c.count + ")", shape: "dot",
                     value: c.count, color: "#9fb3c8", title: tip(c.label + ": " + c.count +
                     " organisations. Click to expand.") });
      }
    });
    data.nodes.forEach(function (n) {
      if (!data.clusters || expanded[n.cluster]) { rep[n.id] = n.id; nodes.push(nodeView(n)); }
      else { rep[n.id] = PREFIX + n.cluster; }
    });
    data.edges.forEach(function (e) {
      var a = rep[e.from], b = rep[e.to];
      if (a === e.from && b === e.to) {
        edges.push({ id: e.id, from: a, to: b, title: tip(e.tip), arrows: e.directed ? "to" : "",
                     dashes: e.status !== "active", color: { opacity: 0.6 } });
        return;
      }
      if (a === b) { return; }
      var key = a < b ? a + "|" + b : b + "|" + a;
      bundles[key] = bundles[key] || { from: a, to: b, count: 0 };
      bundles[key].count += 1;
    });
    Object.keys(bundles).forEach(function (key) {
      var b = bundles[key];
      edges.push({ id: "bundle:" + key, from: b.from, to: b.to, value: b.count,
                   title: tip(b.count + " links"), color: { opacity: 0.3 } });
    });
    return { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) };
  }

  var options = {
    layout: { improvedLayout: data.nodes.length <= 150 },
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
  network.on("click", function (params) {
    var id = params.nodes.length ? String(params.nodes[0]) : "";
    if (id.indexOf(PREFIX) === 0) {
      expanded[id.slice(PREFIX.length)] = true;
      holder.removeAttribute("data-stable");
      network.setOptions({ physics: true });
      network.setData(view());
    }
  });
  network.on("doubleClick", function (params) {
    var id = params.nodes.length ? String(params.nodes[0]) : "";
    var base = holder.getAttribute("data-organisation-url");
    if (base && id && id.indexOf(PREFIX) !== 0) { window.location.href = base + encodeURIComponent(id); }
  });
  network.setData(view());
  window.cssnetNetwork = network;
})();
