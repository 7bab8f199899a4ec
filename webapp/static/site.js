// Every page: move the focus to an error the server marked with data-autofocus (the console's error, the
// compare form's error summary), so that keyboard and screen-reader users start where the problem is and
// hear it at once (WCAG 3.3.1, 4.1.3).  Without JavaScript the error is still first in the page.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var target = document.querySelector("[data-autofocus]");
  if (target) {
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }
});

// Matrices with a sticky first column (/patterns): CSS scroll-padding keeps most focused cells clear of it,
// but the browser does not scroll a cell that is already partly in view; move such a cell out from under
// the sticky column (WCAG 2.4.11).
document.addEventListener("focusin", function (event) {
  "use strict";
  var target = event.target;
  var cell = target.closest ? target.closest(".matrix-scroll td") : null;
  if (!cell) {
    return;
  }
  var box = cell.closest(".matrix-scroll");
  var sticky = cell.parentNode.querySelector("th[scope=row]");
  if (!sticky) {
    return;
  }
  var hiddenBy = sticky.getBoundingClientRect().right - cell.getBoundingClientRect().left;
  if (hiddenBy > 0) {
    box.scrollLeft -= hiddenBy + 8;
  }
});

// Phones: the header's Menu button shows and hides the navigation and the search (GOV.UK's header).  The button
// is hidden in the markup and shown here, so that without script the navigation is simply always there.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var button = document.querySelector("header.site .menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) {
    return;
  }
  button.hidden = false;
  document.documentElement.classList.add("js-menu");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  });
});

// The console: Ctrl+Enter (or Cmd+Enter) in the query runs it.
document.addEventListener("keydown", function (event) {
  "use strict";
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.closest &&
      event.target.closest("form.console")) {
    event.preventDefault();
    var form = event.target.closest("form.console");
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }
});
