// The graph explorer: draws the network in #graph from the JSON data block #graph-data (built by
// the server with pyvis) using vis-network, served by the site itself. Clicking a node opens its page
// (keyboard users have the same links in the list below the graph). No inline script: the page can run
// under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";
  var container = document.getElementById("graph");
  var block = document.getElementById("graph-data");
  if (!container || !block || typeof vis === "undefined") {
    return;
  }
  var data = JSON.parse(block.textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  function open(nodeId) {
    var node = nodes.get(nodeId);
    if (node && node.url) {
      window.location.assign(node.url);
    }
  }

  network.on("click", function (params) {
    if (params.nodes.length === 1) {
      open(params.nodes[0]);
    }
  });
  network.on("hoverNode", function () { container.classList.add("over-node"); });
  network.on("blurNode", function () { container.classList.remove("over-node"); });
  network.once("stabilizationIterationsDone", function () { network.fit(); });
  // For the browser tests and the curious: the network and its data.
  window.kbGraph = { network: network, nodes: nodes, edges: edges };
}());
