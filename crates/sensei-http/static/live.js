// Live pages: keeps a server-rendered page current without reloading it.
//
// Loaded on every page (script-src 'self', no framework, no build step) and idle unless the
// page names a Server-Sent Events stream in a `data-live-stream` attribute. On each event it
// waits ~200 ms for more, fetches this page's own address again (so the server applies the
// current filters, sort and paging) and swaps each `data-live-region="NAME"` element for the
// same-named one of the fresh copy. Without this script the page is complete: it only saves
// a reload.
(function () {
  "use strict";

  var streamHolder = document.querySelector("[data-live-stream]");
  if (!streamHolder || typeof window.EventSource !== "function" || !window.fetch) {
    return;
  }

  var DEBOUNCE_MS = 200;
  // Consecutive failures (stream errors or failed refreshes) before giving up: a server that
  // is gone or a sign-in that ended should not be retried forever.
  var MAX_FAILURES = 5;

  var status = document.querySelector("[data-live-status]");
  var baseTitle = document.title;
  var newCount = 0;
  var failures = 0;
  var timer = null;
  var fetching = false;
  var again = false;
  // Regions skipped because the user was typing in them, with their fresh copies.
  var deferred = {};
  var source = new EventSource(streamHolder.getAttribute("data-live-stream"));

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function stop(reason) {
    source.close();
    if (timer) {
      clearTimeout(timer);
    }
    announce(reason);
  }

  function failed() {
    failures += 1;
    if (failures >= MAX_FAILURES) {
      stop("Live updates stopped. Reload the page to see changes.");
    }
  }

  // Whether the user is working in `region`: focus in a form field, or a field whose value
  // differs from the one the server sent (a half-written note). Such a region is left alone.
  function busy(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && active.matches("input, textarea, select, [contenteditable]")) {
      return true;
    }
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) {
          return true;
        }
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j += 1) {
          if (field.options[j].selected !== field.options[j].defaultSelected) {
            return true;
          }
        }
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  // How to find the focused element again in the fresh region: its id, else its link or
  // button target.
  function focusKey(element) {
    if (element.id) {
      return "#" + CSS.escape(element.id);
    }
    var attributes = ["href", "formaction", "action"];
    for (var i = 0; i < attributes.length; i += 1) {
      var value = element.getAttribute(attributes[i]);
      if (value) {
        return element.tagName.toLowerCase() + "[" + attributes[i] + "=\"" + CSS.escape(value) + "\"]";
      }
    }
    return null;
  }

  function swap(region, fresh) {
    var active = document.activeElement;
    var key = active && region.contains(active) ? focusKey(active) : null;
    var copy = document.importNode(fresh, true);
    region.replaceWith(copy);
    if (key) {
      var target = copy.querySelector(key);
      if (target) {
        target.focus({ preventScroll: true });
      }
    }
  }

  function apply(fresh) {
    var x = window.scrollX;
    var y = window.scrollY;
    var regions = document.querySelectorAll("[data-live-region]");
    for (var i = 0; i < regions.length; i += 1) {
      var region = regions[i];
      var name = region.getAttribute("data-live-region");
      var replacement = fresh.querySelector("[data-live-region=\"" + CSS.escape(name) + "\"]");
      if (!replacement) {
        continue;
      }
      if (busy(region)) {
        deferred[name] = replacement;
      } else {
        delete deferred[name];
        swap(region, replacement);
      }
    }
    window.scrollTo(x, y);
  }

  // A region skipped while the user typed is brought up to date once focus leaves it and
  // nothing in it is half-written.
  document.addEventListener("focusout", function () {
    setTimeout(function () {
      Object.keys(deferred).forEach(function (name) {
        var region = document.querySelector("[data-live-region=\"" + CSS.escape(name) + "\"]");
        if (region && !busy(region)) {
          swap(region, deferred[name]);
          delete deferred[name];
        }
      });
    }, 0);
  });

  function refresh() {
    timer = null;
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        // A redirect to the sign-in page or an error page has no regions worth showing.
        if (!response.ok || response.redirected || type.indexOf("text/html") !== 0) {
          throw new Error("refresh answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        apply(new DOMParser().parseFromString(html, "text/html"));
        failures = 0;
      })
      .catch(failed)
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (!timer) {
      timer = setTimeout(refresh, DEBOUNCE_MS);
    }
  }

  function received(event) {
    var data = {};
    try {
      data = JSON.parse(event.data);
    } catch (ignored) {
      // An event without JSON still means "something changed".
    }
    // Only requests this viewer may see count as new: a student's queue ticks (others'
    // bookings, without detail) move their place but are not news for their tab title.
    if (event.type === "session" && data && data.type === "booked") {
      newCount += 1;
      document.title = "(" + newCount + " new) " + baseTitle;
      announce(newCount === 1 ? "1 new request" : newCount + " new requests");
    }
    schedule();
  }

  source.addEventListener("session", received);
  source.addEventListener("queue", received);
  source.addEventListener("message", received);
  source.addEventListener("open", function () {
    failures = 0;
  });
  // EventSource reconnects by itself (sending Last-Event-ID); count the errors in a row.
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) {
      stop("Live updates stopped. Reload the page to see changes.");
    } else {
      failed();
    }
  });

  // Back on the tab: the new requests have been seen.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && newCount > 0) {
      newCount = 0;
      document.title = baseTitle;
    }
  });
  // Leaving the page frees the connection (and lets the browser keep the page in its cache).
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
