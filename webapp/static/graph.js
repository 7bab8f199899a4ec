// The graph explorer: draws the network in #graph from the JSON data block #graph-data (built by
// the server with pyvis) using vis-network, served by the site itself. Clicking a node opens its page
// (keyboard users have the same links in the list below the graph). No inline script: the page can run
// under a Content-Security-Policy of script-src 'self'. Accessibility of the drawing (pause control,
// reduced motion, Escape) is in graph_a11y.js; this file is about a readable drawing:
// - the layout settles before it is drawn, then the physics stops (nothing keeps drifting);
// - labels are then moved apart until none overlaps another;
// - "group each kind into one node" clusters the nodes of each kind (click a group to open it);
// - the form's filters apply without a page load: the page for the new choice is fetched, and the
//   drawing, the legend and the text list (the drawing's accessible equivalent) are replaced in place.
(function () {
  "use strict";
  var container = document.getElementById("graph");
  var block = document.getElementById("graph-data");
  if (!container || !block || typeof vis === "undefined") {
    return;
  }
  var data = JSON.parse(block.textContent);
  // The server places each kind in its own sector of a circle; stretch it to the drawing's shape, so that
  // the settled layout fills the width rather than being shrunk to fit the height.
  var aspect = Math.max(1, Math.min(3, container.clientWidth / Math.max(container.clientHeight, 1)));
  function stretch(list) {
    list.forEach(function (node) {
      if (typeof node.x === "number") {
        node.x *= aspect;
      }
    });
    return list;
  }
  var nodes = new vis.DataSet(stretch(data.nodes));
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var form = document.querySelector("form.graph-controls");
  var status = document.getElementById("graph-status");
  var PAD = 6; // px of canvas between two labels
  var state = { settled: false, updates: 0, grouped: false };

  function isGroup(nodeId) {  // without vis logging "Node does not exist." for ids not drawn
    return network.body.nodes[nodeId] !== undefined && network.isCluster(nodeId);
  }

  function open(nodeId) {
    if (isGroup(nodeId)) {
      network.openCluster(nodeId);
      settle();
      return;
    }
    var node = nodes.get(nodeId);
    if (node && node.url) {
      window.location.assign(node.url);
    }
  }

  // The box of each shown node (its dot and its label) relative to its position.
  function boxes() {
    var positions = network.getPositions();
    var found = [];
    Object.keys(positions).forEach(function (id) {
      var box = network.getBoundingBox(id);
      if (!box) {
        return;
      }
      var at = positions[id];
      found.push({ id: id, x: at.x, y: at.y, l: box.left - at.x, r: box.right - at.x, t: box.top - at.y,
                   b: box.bottom - at.y, fixed: id === data.centre });
    });
    return found;
  }

  function overlap(a, b) {
    var dx = Math.min(a.x + a.r, b.x + b.r) - Math.max(a.x + a.l, b.x + b.l) + PAD;
    var dy = Math.min(a.y + a.b, b.y + b.b) - Math.max(a.y + a.t, b.y + b.t) + PAD;
    return dx > 0 && dy > 0 ? { dx: dx, dy: dy } : null;
  }

  // Push overlapping boxes apart along the axis that needs the smaller move, until none overlaps.
  function separateLabels() {
    var all = boxes();
    for (var round = 0; round < 300; round += 1) {
      var moved = false;
      for (var i = 0; i < all.length; i += 1) {
        for (var j = i + 1; j < all.length; j += 1) {
          var a = all[i], b = all[j], o = overlap(a, b);
          if (!o) {
            continue;
          }
          moved = true;
          var share = a.fixed || b.fixed ? 1 : 0.5;
          if (o.dx < o.dy * aspect) {  // sideways moves are cheaper on a wide drawing
            var sx = (a.x <= b.x ? -1 : 1) * o.dx * share;
            if (!a.fixed) { a.x += sx; }
            if (!b.fixed) { b.x -= sx; }
          } else {
            var sy = (a.y <= b.y ? -1 : 1) * o.dy * share;
            if (!a.fixed) { a.y += sy; }
            if (!b.fixed) { b.y -= sy; }
          }
        }
      }
      if (!moved) {
        break;
      }
    }
    all.forEach(function (box) { network.moveNode(box.id, box.x, box.y); });
  }

  function clusterByKind() {
    var counts = {};
    nodes.forEach(function (node) {
      if (node.id !== data.centre) {
        counts[node.group] = (counts[node.group] || 0) + 1;
      }
    });
    Object.keys(counts).forEach(function (kind) {
      if (counts[kind] < 2) {
        return;
      }
      var plural = (data.plurals && data.plurals[kind]) || kind;
      network.cluster({
        joinCondition: function (node) { return node.group === kind && node.id !== data.centre; },
        clusterNodeProperties: { id: "group:" + kind, label: counts[kind] + " " + plural, group: kind,
                                 shape: "dot", size: 14 + Math.min(counts[kind], 20), borderWidth: 3,
                                 title: counts[kind] + " " + plural + " (click to open the group)" }
      });
    });
  }

  function openAllClusters() {
    nodes.forEach(function (node) {
      var clusterId = "group:" + node.group;
      if (isGroup(clusterId)) {
        network.openCluster(clusterId);
      }
    });
  }

  // Once the layout has settled: stop the physics, apply grouping, move labels apart, fit, and say so.
  function settle() {
    network.stopSimulation();
    network.setOptions({ physics: { enabled: false } });
    if (state.grouped) {
      clusterByKind();
    } else {
      openAllClusters();
    }
    network.once("afterDrawing", function () {
      separateLabels();
      network.fit({ animation: false });
      network.once("afterDrawing", function () {
        state.settled = true;
        container.dispatchEvent(new CustomEvent("kb:graph-settled"));
      });
      network.redraw();
    });
    network.redraw();
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  // Replace the drawing and the page's parts that describe it with those of the page at ``url``.
  function update(url) {
    say("Updating the graph…");
    state.settled = false;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status + " " + response.statusText);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = JSON.parse(page.getElementById("graph-data").textContent);
        ["graph-summary", "graph-legend", "graph-nodes-section", "graph-edges"].forEach(function (id) {
          var old = document.getElementById(id), replacement = page.getElementById(id);
          if (old && replacement) {
            old.replaceWith(document.importNode(replacement, true));
          }
        });
        block.textContent = JSON.stringify(fresh);
        data = fresh;
        openAllClusters();
        nodes.clear();
        edges.clear();
        network.setOptions({ groups: fresh.options.groups, physics: fresh.options.physics });
        nodes.add(stretch(fresh.nodes));
        edges.add(fresh.edges);
        window.history.replaceState(null, "", url);
        state.updates += 1;
        network.stabilize(fresh.options.physics.stabilization.iterations);
        say("Graph updated: " + (fresh.nodes.length - 1) + " nodes around the centre.");
      })
      .catch(function (error) {
        say("The graph could not be updated (" + error.message + "); use the button to load the page.");
      });
  }

  function formUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { params.append(name, value); });
    return form.getAttribute("action") + "?" + params.toString();
  }

  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "group") {
        state.grouped = event.target.checked;
        window.history.replaceState(null, "", formUrl());
        settle();
        say(state.grouped ? "Each kind is grouped into one node." : "Groups opened.");
        return;
      }
      update(formUrl());
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update(formUrl());
    });
    var group = form.querySelector("input[name=group]");
    state.grouped = Boolean(group && group.checked);
  }

  network.on("click", function (params) {
    if (params.nodes.length === 1) {
      open(params.nodes[0]);
    }
  });
  network.on("hoverNode", function () { container.classList.add("over-node"); });
  network.on("blurNode", function () { container.classList.remove("over-node"); });
  network.on("stabilizationIterationsDone", settle);
  // After the layout is resumed (graph_a11y.js's button) and has come to rest again: stop it and tidy labels.
  network.on("stabilized", function () {
    if (network.physics.options.enabled) {
      settle();
    }
  });
  // For the browser tests and the curious: the network, its data and whether the layout has settled.
  window.kbGraph = {
    network: network, nodes: nodes, edges: edges,
    settled: function () { return state.settled; },
    updates: function () { return state.updates; },
    boxes: boxes, overlaps: function () {
      var all = boxes(), found = [];
      for (var i = 0; i < all.length; i += 1) {
        for (var j = i + 1; j < all.length; j += 1) {
          var a = all[i], b = all[j];
          if (Math.min(a.x + a.r, b.x + b.r) > Math.max(a.x + a.l, b.x + b.l)
              && Math.min(a.y + a.b, b.y + b.b) > Math.max(a.y + a.t, b.y + b.t)) {
            found.push([a.id, b.id]);
          }
        }
      }
      return found;
    }
  };
}());
