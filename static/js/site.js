/* Streetinfo: progressive enhancement only. Every page works without this file (links, the
   language switch and the share links are plain HTML); with it:
   - the language switch sets the cookie itself and opens the page directly (one round trip
     fewer on a weak signal);
   - a service worker keeps visited pages for reading offline, and a commune or ward page can
     store its places in advance ("save this area for offline");
   - the share box gains "Copy link" and the phone's own share sheet where the browser has them;
   - a record's page can be read aloud by the phone's own voice ("Listen").
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

  /* Listen: the phone's own voice reads the page's text (the elements the button's data-listen
     selects, in the page's order, each in its own language), paragraph by paragraph. The button shows only when
     the phone has a voice for that language; pressing it again pauses, then goes on. A pause
     cancels and the paragraph is read again from its start: Android's engines do not pause. */
  var listen = doc.querySelector("[data-listen]");
  var speech = window.speechSynthesis;
  if (listen && speech && window.SpeechSynthesisUtterance) {
    var pageLang = doc.documentElement.lang;
    var state = doc.getElementById(listen.getAttribute("aria-describedby"));
    var texts = [];
    each(listen.getAttribute("data-listen"), function (el) {
      var host = el.closest("[lang]");
      var lang = host ? host.getAttribute("lang") : pageLang;
      var blocks = el.querySelectorAll("p").length ? el.querySelectorAll("p") : [el];
      Array.prototype.forEach.call(blocks, function (block) {
        var text = block.textContent.replace(/\s+/g, " ").trim();
        if (text) texts.push({ text: text, lang: lang });
      });
    });
    var parts = [];
    var next = 0;
    /* Each start or pause begins a new run: a cancelled utterance's late "end" is ignored. */
    var run = 0;
    /* The page's own locale (the registry's, e.g. zh_CN for zh-hans) is preferred among the
       voices of a language; before it, a voice on the phone itself, which reads without a
       signal. */
    var preferred = (listen.getAttribute("data-voice") || "").toLowerCase();
    var voiceFor = function (lang) {
      var primary = lang.split("-")[0].toLowerCase();
      var best = null;
      var bestScore = -1;
      speech.getVoices().forEach(function (voice) {
        var tag = voice.lang.replace("-", "_").toLowerCase();
        if (tag.split("_")[0] !== primary) return;
        var score = (voice.localService ? 2 : 0) + (tag === preferred ? 1 : 0);
        if (score > bestScore) {
          best = voice;
          bestScore = score;
        }
      });
      return best;
    };
    var show = function (key) {
      if (state) state.textContent = key ? state.getAttribute(key) : "";
    };
    var stop = function (ended) {
      run += 1;
      listen.setAttribute("aria-pressed", "false");
      show(ended ? "" : "data-paused");
      if (ended) next = 0;
    };
    var speak = function (current) {
      var part = parts[next];
      if (!part) return stop(true);
      var utterance = new SpeechSynthesisUtterance(part.text);
      utterance.lang = part.lang;
      utterance.voice = voiceFor(part.lang) || null;
      utterance.onend = function () {
        if (current !== run) return;
        next += 1;
        speak(current);
      };
      speech.speak(utterance);
    };
    var offer = function () {
      if (listen.getAttribute("aria-pressed") === "true") return;
      parts = texts.filter(function (part) { return voiceFor(part.lang); });
      listen.hidden = !parts.length;
    };
    offer();
    /* Voices often arrive after the page (Chrome loads them asynchronously). */
    if (speech.addEventListener) speech.addEventListener("voiceschanged", offer);
    listen.addEventListener("click", function () {
      var reading = listen.getAttribute("aria-pressed") === "true";
      stop(false);
      speech.cancel();
      if (reading) return;
      listen.setAttribute("aria-pressed", "true");
      show("data-reading");
      speak(run);
    });
    window.addEventListener("pagehide", function () {
      speech.cancel();
    });
  }

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
