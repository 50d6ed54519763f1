(function () {
  "use strict";
  // Anything that goes wrong on this page is written into it, where a
  // reader (and linkport's browser test) sees it.
  var out = document.getElementById("js-errors"), n = 0;
  function say(msg) {
    out.hidden = false;
    out.appendChild(document.createTextNode(msg + "\n"));
    document.documentElement.setAttribute("data-js-errors", String(++n));
  }
  window.addEventListener("error", function (e) { say("script error: " + e.message + " (line " + e.lineno + ")"); });
  window.addEventListener("unhandledrejection", function (e) { say("script error: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) {
    say("blocked by the page's content security policy: " + e.violatedDirective + " " + (e.blockedURI || ""));
  });
})();
