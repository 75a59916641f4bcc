/* Streetinfo service worker: read again without a signal what was read with one.

   Served at /sw.js by public.views.service_worker, which puts self.STREETINFO before this text:
   {version, shell: [offline pages and static files], languages, defaultLanguage, languageCookie}.

   - Pages: network first (fresh text when there is a signal), kept in a bounded cache; when the
     network fails, or is slower than PAGE_TIMEOUT_MS and a copy is held, the copy is served;
     a page never opened gets the offline page in its language (for an address without one, a
     scan, the visitor's: the language cookie, else the phone's languages, as the server picks).
   - Static files: served from the cache and refreshed in the background (names are hashed in
     production, so a new deployment brings new names).
   - Photos: cache first, bounded; offline, any stored width of the same photo stands in.
   - Saved areas ("save this area for offline"): one cache per commune or ward page, holding its
     places' pages, its people's pages, small photos and recorded narration (within the server's
     budget), and its manifest, whose `scans` give the page each of its plates' scan addresses
     (/Q/<code>) shows: scanning a plate there with no signal opens that page. At most MAX_AREAS,
     refreshed daily when there is a signal.
   Every cache is bounded: a phone's storage is not ours to fill.
   Only what is the same for everyone is kept (see `shareable`): nothing made for one person (an
   installer's scanned page, a printer's API reads, an editor's view) is stored, so nothing of it
   is served offline after logout, or to the next person using the phone. */
"use strict";

var CONFIG = self.STREETINFO;
var SHELL = "streetinfo-shell-" + CONFIG.version;
var PAGES = "streetinfo-pages";
var STATIC = "streetinfo-static";
var IMAGES = "streetinfo-images";
var AREA = "streetinfo-area:";
var MAX_PAGES = 60;
var MAX_STATIC = 30;
var MAX_IMAGES = 150;
var MAX_AREAS = 4;
var AREA_MAX_AGE_MS = 24 * 3600 * 1000;
var PAGE_TIMEOUT_MS = 6000;
var SAVED_AT = "X-Streetinfo-Saved-At";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(CONFIG.shell);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("streetinfo-shell-") === 0 && name !== SHELL;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(forgetPrivatePages).then(function () {
      return self.clients.claim();
    })
  );
});

/* A public page: the site's own, under a language, a plate's address or the root. */
var PUBLIC_PAGE = new RegExp("^/(?:(?:" + CONFIG.languages.join("|") + ")/|[Qq]/|$)");

function isPublicPage(url) {
  return url.origin === self.location.origin && PUBLIC_PAGE.test(url.pathname);
}

/* A response any visitor could have had: 200, same-origin, and `Cache-Control: public` without
   `private`, `no-store` or `no-cache`. Pages made for one person say `private` or `no-store`
   (public.views.cache_public_page, never_cache). Set-Cookie cannot be seen from here; the server
   never marks `public` a response that sets a cookie. */
function shareable(response) {
  if (!response || response.status !== 200 || response.type !== "basic") return false;
  var control = (response.headers.get("Cache-Control") || "").toLowerCase().split(",").map(function (part) {
    return part.trim().split("=")[0];
  });
  return control.indexOf("public") >= 0 && control.indexOf("private") < 0 &&
    control.indexOf("no-store") < 0 && control.indexOf("no-cache") < 0;
}

/* Drops every stored page that is not shareable (kept by an earlier version of this worker). */
function forgetPrivatePages() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name === PAGES || name.indexOf(AREA) === 0;
    }).map(function (name) {
      return caches.open(name).then(function (cache) {
        return cache.keys().then(function (keys) {
          return Promise.all(keys.map(function (key) {
            if (/offline\.json$|\/media\/|\/narration\//.test(key.url)) return null;
            return cache.match(key).then(function (response) {
              if (!shareable(response) || !isPublicPage(new URL(key.url))) return cache.delete(key);
              return null;
            });
          }));
        });
      });
    }));
  });
}

/* Keep at most `max` entries, dropping the oldest stored (re-storing moves an entry last). */
function trim(name, max) {
  return caches.open(name).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.slice(0, Math.max(0, keys.length - max)).map(function (key) {
        return cache.delete(key);
      }));
    });
  });
}

function store(name, max, request, response) {
  return caches.open(name).then(function (cache) {
    return cache.delete(request).then(function () {
      return cache.put(request, response);
    });
  }).then(function () {
    return trim(name, max);
  });
}

/* One of the site's languages for a language tag ("en-GB" -> "en"), or "". */
function siteLanguage(tag) {
  var wanted = String(tag || "").toLowerCase();
  var exact = CONFIG.languages.filter(function (code) { return code.toLowerCase() === wanted; })[0];
  return exact || CONFIG.languages.filter(function (code) {
    return code.toLowerCase().split("-")[0] === wanted.split("-")[0];
  })[0] || "";
}

/* The visitor's language for an address that names none (a scan), as the server picks it: the
   language cookie (readable here where the browser has cookieStore), else the phone's languages
   in order, else the default. */
function visitorLanguage() {
  var cookie = self.cookieStore && CONFIG.languageCookie
    ? self.cookieStore.get(CONFIG.languageCookie).catch(function () { return null; })
    : Promise.resolve(null);
  return cookie.then(function (found) {
    var chosen = found && siteLanguage(found.value);
    if (chosen) return chosen;
    var phone = (self.navigator && self.navigator.languages) || [];
    for (var i = 0; i < phone.length; i += 1) {
      if (siteLanguage(phone[i])) return siteLanguage(phone[i]);
    }
    return CONFIG.defaultLanguage;
  });
}

function language(url) {
  var first = url.pathname.split("/")[1];
  return CONFIG.languages.indexOf(first) >= 0 ? Promise.resolve(first) : visitorLanguage();
}

function offlinePage(url) {
  return language(url).then(function (lang) {
    var page = CONFIG.shell.filter(function (path) {
      return path.indexOf("/" + lang + "/") === 0;
    })[0];
    return caches.match(page);
  });
}

/* A plate's scan address read as qrplates.codes.normalize reads it ("/q/abc-d" -> "/Q/ABCD"). */
var SCAN = /^\/[Qq]\/([^\/]+)\/?$/;

function scanAddress(url) {
  var match = SCAN.exec(url.pathname);
  if (!match) return "";
  var code = decodeURIComponent(match[1]).toUpperCase().replace(/[\s-]/g, "")
    .replace(/O/g, "0").replace(/[IL]/g, "1");
  return "/Q/" + code;
}

/* The page a saved area holds for a scanned plate: its manifest's `scans` name it. */
function scannedInArea(url) {
  var address = scanAddress(url);
  if (!address) return Promise.resolve(undefined);
  return caches.keys().then(function (names) {
    return names.filter(function (name) { return name.indexOf(AREA) === 0; }).reduce(function (found, name) {
      return found.then(function (hit) {
        if (hit) return hit;
        var manifestUrl = new URL(name.slice(AREA.length), self.location.href).href;
        return caches.open(name).then(function (cache) {
          return cache.match(manifestUrl).then(function (response) {
            return response ? response.json() : {};
          }).then(function (manifest) {
            var page = (manifest.scans || {})[address];
            return page ? cache.match(new URL(page, self.location.href).href, { ignoreVary: true }) : undefined;
          });
        });
      });
    }, Promise.resolve(undefined));
  });
}

/* A held copy of the page: the address itself, a plate's page from a saved area, or for "/"
   the home page in any language. */
function heldCopy(request, url) {
  return caches.match(request, { ignoreVary: true }).then(function (hit) {
    return hit || scannedInArea(url);
  }).then(function (hit) {
    if (hit || url.pathname !== "/") return hit;
    var homes = [CONFIG.defaultLanguage].concat(CONFIG.languages);
    return homes.reduce(function (found, lang) {
      return found.then(function (hit2) {
        return hit2 || caches.match(new URL("/" + lang + "/", url).href, { ignoreVary: true });
      });
    }, Promise.resolve(undefined));
  });
}

function page(event, request, url) {
  var network = fetch(request).then(function (response) {
    if (shareable(response)) {
      event.waitUntil(store(PAGES, MAX_PAGES, request, response.clone()));
    }
    return response;
  });
  var timeout = new Promise(function (resolve) {
    setTimeout(function () {
      heldCopy(request, url).then(resolve);
    }, PAGE_TIMEOUT_MS);
  });
  var firstUseful = Promise.race([
    network,
    timeout.then(function (copy) {
      return copy || network;
    }),
  ]);
  return firstUseful.catch(function () {
    return heldCopy(request, url).then(function (copy) {
      return copy || offlinePage(url);
    });
  }).then(function (response) {
    return response || Response.error();
  });
}

function staticFile(event, request) {
  return caches.match(request).then(function (hit) {
    var network = fetch(request).then(function (response) {
      if (response.ok) event.waitUntil(store(STATIC, MAX_STATIC, request, response.clone()));
      return response;
    });
    if (hit) {
      event.waitUntil(network.catch(function () {}));
      return hit;
    }
    return network;
  });
}

/* Any stored width or format of the same photo (renditions share a folder). */
function samePhoto(url) {
  var folder = url.pathname.slice(0, url.pathname.lastIndexOf("/") + 1);
  if (folder.indexOf("/renditions/") < 0) return Promise.resolve(undefined);
  return caches.keys().then(function (names) {
    return names.reduce(function (found, name) {
      return found.then(function (hit) {
        if (hit) return hit;
        return caches.open(name).then(function (cache) {
          return cache.keys().then(function (keys) {
            var match = keys.filter(function (key) {
              return new URL(key.url).pathname.indexOf(folder) === 0;
            })[0];
            return match && cache.match(match);
          });
        });
      });
    }, Promise.resolve(undefined));
  });
}

function image(event, request, url) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (response.ok) event.waitUntil(store(IMAGES, MAX_IMAGES, request, response.clone()));
      return response;
    }).catch(function () {
      return samePhoto(url).then(function (other) {
        return other || Response.error();
      });
    });
  });
}

/* Recorded narration: the whole file from a saved area when it holds it (a player asking for a
   range accepts the whole); otherwise the network, ranges and all, and nothing kept. */
function narration(request) {
  return caches.match(request.url, { ignoreVary: true }).then(function (hit) {
    return hit || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    /* The admin, the API, the language switch: never intercepted, never kept. */
    if (!isPublicPage(url)) return;
    event.respondWith(page(event, request, url));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFile(event, request));
  } else if (url.pathname.indexOf("/media/") === 0) {
    event.respondWith(image(event, request, url));
  } else if (url.pathname.indexOf("/narration/") === 0) {
    event.respondWith(narration(request));
  }
});

/* Saved areas. */

function areaCacheName(manifestUrl) {
  return AREA + new URL(manifestUrl, self.location.href).pathname;
}

function savedAt(cache, manifestUrl) {
  return cache.match(manifestUrl).then(function (response) {
    return response ? Number(response.headers.get(SAVED_AT)) : 0;
  });
}

function saveArea(manifestUrl) {
  var name = areaCacheName(manifestUrl);
  return fetch(manifestUrl, { cache: "no-cache" }).then(function (response) {
    if (!response.ok) throw new Error("manifest " + response.status);
    return response.json();
  }).then(function (manifest) {
    var wanted = manifest.pages.concat(manifest.images, manifest.audio || []).map(function (path) {
      return new URL(path, self.location.href).href;
    });
    return caches.open(name).then(function (cache) {
      var failures = 0;
      var fetches = wanted.map(function (href) {
        return fetch(href).then(function (response) {
          var isPage = isPublicPage(new URL(href));
          if (isPage ? !shareable(response) : !response.ok) throw new Error(String(response.status));
          return cache.put(href, response);
        }).catch(function () {
          failures += 1;
        });
      });
      return Promise.all(fetches).then(function () {
        if (failures === wanted.length) throw new Error("nothing could be fetched");
        /* Drop what the area no longer lists (a place withdrawn, a photo replaced). */
        return cache.keys();
      }).then(function (keys) {
        return Promise.all(keys.filter(function (key) {
          return wanted.indexOf(key.url) < 0;
        }).map(function (key) {
          return cache.delete(key);
        }));
      }).then(function () {
        var now = Date.now();
        var headers = { "Content-Type": "application/json" };
        headers[SAVED_AT] = String(now);
        return cache.put(manifestUrl, new Response(JSON.stringify(manifest), { headers: headers }))
          .then(function () { return now; });
      });
    });
  }).then(function (now) {
    return limitAreas(name).then(function () {
      return now;
    });
  });
}

/* Keep the MAX_AREAS most recently saved areas. */
function limitAreas(keep) {
  return caches.keys().then(function (names) {
    var areas = names.filter(function (name) {
      return name.indexOf(AREA) === 0;
    });
    if (areas.length <= MAX_AREAS) return null;
    return Promise.all(areas.map(function (name) {
      return caches.open(name).then(function (cache) {
        return cache.keys().then(function (keys) {
          var manifest = keys.filter(function (key) { return /offline\.json$/.test(key.url); })[0];
          return manifest ? savedAt(cache, manifest.url) : 0;
        });
      }).then(function (when) {
        return { name: name, when: name === keep ? Infinity : when };
      });
    })).then(function (dated) {
      dated.sort(function (a, b) { return b.when - a.when; });
      return Promise.all(dated.slice(MAX_AREAS).map(function (area) {
        return caches.delete(area.name);
      }));
    });
  });
}

function refreshAreas() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(AREA) === 0;
    }).map(function (name) {
      var manifestUrl = new URL(name.slice(AREA.length), self.location.href).href;
      return caches.open(name).then(function (cache) {
        return savedAt(cache, manifestUrl);
      }).then(function (when) {
        if (Date.now() - when > AREA_MAX_AGE_MS) return saveArea(manifestUrl).catch(function () {});
        return null;
      });
    }));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  function reply(answer) {
    if (port) port.postMessage(answer);
  }
  function fail(error) {
    reply({ ok: false, error: String(error && error.message || error) });
  }
  var manifestUrl = data.manifest ? new URL(data.manifest, self.location.href).href : "";
  var work;
  if (data.type === "save-area" && manifestUrl) {
    work = saveArea(manifestUrl).then(function (when) {
      reply({ ok: true, saved: when });
    }, fail);
  } else if (data.type === "area-status" && manifestUrl) {
    work = caches.has(areaCacheName(manifestUrl)).then(function (exists) {
      if (!exists) return 0;
      return caches.open(areaCacheName(manifestUrl)).then(function (cache) {
        return savedAt(cache, manifestUrl);
      });
    }).then(function (when) {
      reply({ ok: true, saved: when || null });
    }, fail);
  } else if (data.type === "forget-area" && manifestUrl) {
    work = caches.delete(areaCacheName(manifestUrl)).then(function () {
      reply({ ok: true });
    }, fail);
  } else if (data.type === "keep" && data.url) {
    var url = new URL(data.url);
    if (isPublicPage(url)) {
      work = fetch(url.href).then(function (response) {
        if (shareable(response)) return store(PAGES, MAX_PAGES, url.href, response);
        return null;
      }).catch(function () {});
    }
  } else if (data.type === "refresh-areas") {
    work = refreshAreas();
  }
  if (work) event.waitUntil(work);
});
