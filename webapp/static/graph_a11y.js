// Accessibility of the graph drawing (runs after graph.js, which leaves window.kbGraph):
// - WCAG 2.2.2: a button pauses and resumes the moving layout; with prefers-reduced-motion the layout
//   is computed before it is drawn and then never moves.
// - WCAG 1.4.13: Escape closes the tooltip shown over a node or relationship.
// - The drawing is one image (role="img", named; its text alternative is the list below it): nothing
//   inside it is a Tab stop, so keyboard users do not land on an unnamed, silent element.
(function () {
  "use strict";
  var graph = window.kbGraph;
  var container = document.getElementById("graph");
  if (!graph || !container) {
    return;
  }
  var network = graph.network;

  Array.prototype.forEach.call(container.querySelectorAll("[tabindex]"), function (element) {
    element.setAttribute("tabindex", "-1");
  });

  function hideTooltips() {
    Array.prototype.forEach.call(container.querySelectorAll(".vis-tooltip"), function (tip) {
      tip.style.visibility = "hidden";
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      hideTooltips();
    }
  });

  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var moving = !reduceMotion;
  var resumed = false;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "graph-motion";
  button.setAttribute("aria-controls", "graph");
  var status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  var holder = document.createElement("p");
  holder.className = "graph-motion";
  holder.appendChild(button);
  holder.appendChild(status);
  container.parentNode.insertBefore(holder, container);

  function show(isMoving, message) {
    moving = isMoving;
    button.textContent = isMoving ? "Pause the layout" : "Resume the layout";
    if (message) {
      status.textContent = message;
    }
  }

  function freeze() {
    network.stopSimulation();
    network.setOptions({ physics: { enabled: false } });
  }

  button.addEventListener("click", function () {
    if (moving) {
      freeze();
      show(false, "Layout paused.");
    } else {
      network.setOptions({ physics: { enabled: true } });
      network.startSimulation();
      resumed = true;
      show(true, "Layout moving.");
    }
  });
  network.on("stabilized", function () {
    if (moving) {
      show(false, resumed ? "Layout settled." : "");
    }
  });

  var laidOut = false;
  network.once("stabilizationIterationsDone", function () {
    laidOut = true;
    if (reduceMotion) {
      // The layout is computed before the first drawing; stopping there means nothing ever moves.
      freeze();
    }
  });
  show(moving, "");
  graph.motion = { moving: function () { return moving; }, laidOut: function () { return laidOut; },
                   reduced: reduceMotion };
}());
