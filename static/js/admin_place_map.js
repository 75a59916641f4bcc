/* The admin's map for placing a place's point (Leaflet, from our static files). It draws our
   communes' outlines from /admin/…/units.geojson, so that the commune the point falls in is seen
   and named even when the background tiles cannot load. Clicking the map fills the latitude and
   longitude boxes; typing in them moves the point. (Form media load in <head>: it starts once
   the page is read.) */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var box = document.getElementById("place-map");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  if (!box || !lat || !lon || !window.L) return;
  var status = document.getElementById("place-map-unit");
  var map = L.map(box, { scrollWheelZoom: false }).setView([21.85, 106.75], 9);
  L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
  var marker = null;
  var units = null;
  var plain = { color: "#555", weight: 1, fill: false };
  var chosen = { color: "#b91c1c", weight: 3, fillColor: "#b91c1c", fillOpacity: 0.08 };

  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function contains(geometry, x, y) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      return inRing(x, y, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(x, y, hole); });
    });
  }
  function point() {
    var y = parseFloat(lat.value.replace(",", ".")), x = parseFloat(lon.value.replace(",", "."));
    return isFinite(x) && isFinite(y) ? [y, x] : null;
  }
  function show() {
    var p = point();
    if (!p) {
      if (marker) { map.removeLayer(marker); marker = null; }
      status.textContent = box.dataset.noPoint;
      return;
    }
    if (!marker) marker = L.circleMarker(p, { className: "place-point", radius: 8, color: "#fff", weight: 2, fillColor: "#b91c1c", fillOpacity: 1 }).addTo(map);
    marker.setLatLng(p);
    if (!units) return;
    var found = null;
    units.eachLayer(function (layer) {
      var hit = !found && contains(layer.feature.geometry, p[1], p[0]);
      if (hit) found = layer;
      layer.setStyle(hit ? chosen : plain);
    });
    status.textContent = found ? box.dataset.fallsIn + " " + found.feature.properties.name : box.dataset.outside;
    status.dataset.unit = found ? found.feature.properties.code : "";
  }
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    show();
  });
  [lat, lon].forEach(function (input) { input.addEventListener("input", show); });
  fetch(box.dataset.units, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      units = L.geoJSON(data, { style: plain }).addTo(map);
      var p = point();
      if (p) map.setView(p, 15); else map.fitBounds(units.getBounds());
      show();
    });
  show();
});
