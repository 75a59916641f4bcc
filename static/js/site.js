/* Streetinfo: progressive enhancement only. Every page works without this file (links, the
   language switch and the share links are plain HTML); with it:
   - the language switch sets the cookie itself and opens the page directly (one round trip
     fewer on a weak signal);
   - a service worker keeps visited pages for reading offline, and a commune or ward page can
     store its places in advance ("save this area for offline");
   - the share box gains "Copy link" and the phone's own share sheet where the browser has them.
   Plain ES2015, no framework: it must run in Zalo's and Facebook's in-app browsers. */
(function () {
  "use strict";
  var doc = document;

  function each(selector, fn) {
    Array.prototype.forEach.call(doc.querySelectorAll(selector), fn);
  }

  /* Language switch. */
  var nav = doc.querySelector("nav.lang");
  if (nav) {
    nav.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-direct]") : null;
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      var cookie = nav.getAttribute("data-cookie") + "=" + link.getAttribute("data-lang") +
        ";path=/;max-age=31536000;samesite=lax" + (location.protocol === "https:" ? ";secure" : "");
      doc.cookie = cookie;
      event.preventDefault();
      location.href = link.getAttribute("data-direct");
    });
  }

  /* Share: copy the link, or open the phone's share sheet. */
  each("[data-share]", function (box) {
    var url = box.getAttribute("data-share");
    var native = box.querySelector("[data-action=native-share]");
    var copy = box.querySelector("[data-action=copy]");
    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: doc.title, url: url }).catch(function () {});
      });
    }
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(function () {
          copy.textContent = copy.getAttribute("data-done");
        });
      });
    }
  });

  if (!("serviceWorker" in navigator) || !window.isSecureContext || !window.caches) return;

  var worker = navigator.serviceWorker;
  /* At the root, so that it may serve every page (public.root_urls). */
  worker.register("/sw.js").catch(function () {});

  /* Ask the service worker something and wait for its answer. */
  function ask(message) {
    return worker.ready.then(function (registration) {
      return new Promise(function (resolve, reject) {
        var channel = new MessageChannel();
        var timer = setTimeout(function () { reject(new Error("timeout")); }, 120000);
        channel.port1.onmessage = function (event) {
          clearTimeout(timer);
          if (event.data && event.data.ok) resolve(event.data);
          else reject(new Error((event.data && event.data.error) || "failed"));
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  worker.ready.then(function (registration) {
    if (!registration.active) return;
    /* The page that installed the worker (usually the one a plate's code opened) did not pass
       through it: have it kept too, so that it opens again without a signal. */
    if (!worker.controller) registration.active.postMessage({ type: "keep", url: location.href });
    /* Saved areas are refreshed (at most daily) whenever a page is opened with a signal. */
    if (navigator.onLine) registration.active.postMessage({ type: "refresh-areas" });
  });

  /* "Save this area for offline" on a commune or ward page. */
  each(".offline-save", function (box) {
    var manifest = box.getAttribute("data-offline-url");
    var save = box.querySelector("[data-action=save-area]");
    var forget = box.querySelector("[data-action=forget-area]");
    var status = box.querySelector("[data-status]");
    function show(key, when) {
      var text = status.getAttribute("data-" + key) || "";
      status.textContent = when ? text + " (" + new Date(when).toLocaleString(doc.documentElement.lang) + ")" : text;
      forget.hidden = !(key === "saved");
    }
    box.hidden = false;
    ask({ type: "area-status", manifest: manifest }).then(function (answer) {
      if (answer.saved) show("saved", answer.saved);
    }).catch(function () {});
    save.addEventListener("click", function () {
      save.disabled = true;
      show("saving");
      ask({ type: "save-area", manifest: manifest }).then(function (answer) {
        show("saved", answer.saved);
      }).catch(function () {
        show("failed");
      }).then(function () {
        save.disabled = false;
      });
    });
    forget.addEventListener("click", function () {
      ask({ type: "forget-area", manifest: manifest }).then(function () { show("removed"); });
    });
  });

  /* The offline page lists the pages this phone holds, in the page's language. */
  each("[data-offline-pages]", function (box) {
    var list = box.querySelector("ul");
    var prefix = "/" + doc.documentElement.lang + "/";
    var seen = {};
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        if (name.indexOf("streetinfo-pages") !== 0 && name.indexOf("streetinfo-area:") !== 0) return null;
        return caches.open(name).then(function (cache) {
          return cache.keys().then(function (requests) {
            return Promise.all(requests.map(function (request) {
              var path = new URL(request.url).pathname;
              if (path.indexOf(prefix) !== 0 || /offline/.test(path) || seen[path]) return null;
              seen[path] = true;
              return cache.match(request).then(function (response) {
                return response.text();
              }).then(function (html) {
                var title = /<title>([^<]*)<\/title>/.exec(html);
                var item = doc.createElement("li");
                var link = doc.createElement("a");
                link.href = path;
                var holder = doc.createElement("textarea");
                holder.innerHTML = title ? title[1].split(" — ")[0] : path;
                link.textContent = holder.value;
                item.appendChild(link);
                list.appendChild(item);
                box.hidden = false;
              });
            }));
          });
        });
      }));
    }).catch(function () {});
  });
})();
