// The static copy of the site (webapp/static_site.py): forms whose answer was built in advance go to
// that page; a combination that needs the live site says so instead of showing an unfiltered page.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/static-site\.js(\?.*)?$/, "") : "/";
  var routes = null;

  function canonical(path, params) {
    var pairs = [];
    params.forEach(function (value, key) {
      if (value !== "") {
        pairs.push([key, value]);
      }
    });
    pairs.sort(function (a, b) {
      return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    });
    return path + (pairs.length ? "?" + new URLSearchParams(pairs).toString() : "");
  }

  function loadRoutes() {
    if (routes) {
      return Promise.resolve(routes);
    }
    return fetch(base + "static-routes.json")
      .then(function (response) {
        return response.json();
      })
      .then(function (built) {
        routes = {};
        Object.keys(built).forEach(function (url) {
          var parts = url.split("?");
          routes[canonical(parts[0], new URLSearchParams(parts[1] || ""))] = built[url];
        });
        return routes;
      });
  }

  function tell(form, text) {
    var note = form.parentNode.querySelector(".static-form-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "static-notice static-form-note";
      note.setAttribute("role", "status");
      form.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
  }

  var COMBINATION = "This static copy has pages for one choice at a time; this combination needs the live site.";

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-needs-server]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    var note = document.getElementById("static-link-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "static-link-note";
      note.className = "static-notice";
      note.setAttribute("role", "status");
      var main = document.getElementById("main");
      main.insertBefore(note, main.firstChild);
    }
    note.textContent = COMBINATION + " Without it, the link opens the list without filters: ";
    var plain = document.createElement("a");
    plain.href = link.href;
    plain.textContent = "open it anyway";
    note.appendChild(plain);
    note.appendChild(document.createTextNode("."));
    note.scrollIntoView({ block: "nearest" });
  }, true);

  // The graph explorer redraws from the page of its filters' URL; a static host has one page per graph
  // (its default view), so its filters say so and keep their defaults. Grouping works in the browser.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    var action = form ? form.getAttribute("data-site-action") || "" : "";
    if (action.indexOf("/graph/") !== 0 || event.target.name === "group") {
      return;
    }
    event.stopPropagation();
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name !== "group" && (element.type === "checkbox" || element.type === "radio")) {
        element.checked = element.defaultChecked;
      }
    });
    tell(form, "This static copy shows each graph as it first appears; changing what it shows needs the live site.");
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("data-site-action");
    if (!action || (form.method || "get").toLowerCase() !== "get") {
      return;
    }
    event.preventDefault();
    event.stopPropagation(); // the page's own handlers would ask a server for the answer
    var params = new URLSearchParams(new FormData(form));
    if (!Array.from(params.values()).some(function (value) { return value !== ""; })) {
      window.location.assign(form.action);
      return;
    }
    loadRoutes().then(function (known) {
      var target = known[canonical(action, params)];
      if (target) {
        window.location.assign(target);
      } else {
        tell(form, COMBINATION);
      }
    });
  }, true);
})();
