// beian — one small script. Pages work without it; it adds inline checks,
// the region cascade, previews, the SMS countdown, the camera capture and the
// review page's keyboard shortcuts.
(function () {
  "use strict";

  // Inline validation: send the step's fields to the check endpoint and show
  // each issue under its field, the moment it is known.
  var form = document.querySelector("form[data-check]");
  if (form) {
    var timer = null;
    var check = function () {
      var data = new FormData(form);
      Array.from(form.querySelectorAll("input[type=file]")).forEach(function (f) { data.delete(f.name); });
      fetch(form.getAttribute("data-check"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) return;
          form.querySelectorAll(".problem[data-for]").forEach(function (el) { el.textContent = ""; });
          (body.issues || []).forEach(function (i) {
            var el = form.querySelector('.problem[data-for="' + i.field + '"]');
            if (el) el.textContent = i.message + "：" + i.suggestion;
          });
        })
        .catch(function () {});
    };
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(check, 100); });
  }

  // Region cascade: keep only the cities of the chosen province and the
  // districts of the chosen city.
  var prov = document.getElementById("f-subject.province");
  var city = document.getElementById("f-subject.city");
  var dist = document.getElementById("f-subject.district");
  var filter = function (select, prefix) {
    if (!select) return;
    Array.from(select.options).forEach(function (o) {
      var keep = !o.value || !prefix || o.value.indexOf(prefix) === 0;
      o.hidden = !keep;
      o.disabled = !keep;
    });
    if (select.selectedOptions.length && select.selectedOptions[0].disabled) select.value = "";
  };
  var cascade = function () {
    filter(city, prov && prov.value ? prov.value.slice(0, 2) : "");
    filter(dist, city && city.value ? city.value.slice(0, 4) : "");
  };
  if (prov && city && dist) {
    prov.addEventListener("change", function () { city.value = ""; dist.value = ""; cascade(); });
    city.addEventListener("change", function () { dist.value = ""; cascade(); });
    cascade();
  }

  // Upload preview before sending.
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    input.addEventListener("change", function () {
      var img = document.getElementById(input.getAttribute("data-preview"));
      if (img && input.files && input.files[0]) { img.src = URL.createObjectURL(input.files[0]); img.hidden = false; }
    });
  });

  // Certificate photos are read after upload (seconds): while one is being read the edit
  // page asks for what it read and fills the fields still empty; saving confirms them.
  var prefillForm = document.querySelector("form[data-prefill]");
  if (prefillForm && window.fetch) {
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(prefillForm.getAttribute("data-prefill"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) { return; }
          Object.keys(p.values || {}).forEach(function (path) {
            var input = prefillForm.querySelector('[name="' + path + '"]');
            if (input && !input.value) {
              input.value = p.values[path];
              input.classList.add("prefilled");
              var note = document.getElementById("o-" + path);
              if (note) { note.hidden = false; }
            }
          });
          if (p.pending && tries < 30) { setTimeout(poll, 1000); }
        });
    };
    setTimeout(poll, 500);
  }

  // SMS deadline countdown.
  document.querySelectorAll("[data-deadline]").forEach(function (el) {
    var end = Date.parse(el.getAttribute("data-deadline"));
    var tick = function () {
      var left = Math.max(0, end - Date.now());
      var h = Math.floor(left / 3600000), m = Math.floor((left % 3600000) / 60000);
      el.textContent = "剩余 " + h + " 小时 " + m + " 分钟";
    };
    tick();
    setInterval(tick, 30000);
  });

  // Face capture with the camera; the file input stays as the fallback.
  var video = document.getElementById("camera");
  var shoot = document.getElementById("shoot");
  if (video && shoot && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ video: { width: 720, height: 960 } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      shoot.hidden = false;
    }).catch(function () {});
    shoot.addEventListener("click", function () {
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(function (blob) {
        var data = new FormData();
        data.append("photo", blob, "capture.jpg");
        data.append("csrf", shoot.getAttribute("data-csrf"));
        fetch(shoot.getAttribute("data-action"), { method: "POST", body: data, credentials: "same-origin" })
          .then(function () { location.reload(); });
      }, "image/jpeg", 0.92);
    });
  }

  // Review claim: renew the reader's claim every five minutes while the page is open
  // (the lease is longer), so it runs out only when the reviewer has gone.
  var renew = document.querySelector("[data-claim-renew]");
  if (renew) {
    setInterval(function () {
      var body = new URLSearchParams();
      body.append("csrf", renew.getAttribute("data-csrf"));
      body.append("action", "claim");
      fetch(renew.getAttribute("data-claim-renew"), { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
        .catch(function () {});
    }, 5 * 60 * 1000);
  }

  // Review page keyboard: j/k next and previous field, r the reason picker (the reason
  // of the current field when the library has one), a approve (after a confirmation),
  // ? the list of keys. Single keys never fire while typing, nor with a modifier, and
  // can be turned off on the page (WCAG 2.1.4), which the browser remembers.
  var review = document.querySelector("[data-review-keys]");
  if (review) {
    var fieldsOf = function () { return Array.from(document.querySelectorAll("[data-review-field]")); };
    var toggle = document.getElementById("kb-enabled");
    var store = function (v) { try { localStorage.setItem("beian-review-keys", v); } catch (e) {} };
    try { if (toggle && localStorage.getItem("beian-review-keys") === "off") toggle.checked = false; } catch (e) {}
    if (toggle) toggle.addEventListener("change", function () { store(toggle.checked ? "on" : "off"); });
    var typing = function (el) {
      if (!el || !el.tagName) return false;
      if (el.isContentEditable) return true;
      var tag = el.tagName.toLowerCase();
      if (tag === "textarea" || tag === "select") return true;
      if (tag !== "input") return false;
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf((el.type || "").toLowerCase()) < 0;
    };
    var current = -1;
    var move = function (step) {
      var all = fieldsOf();
      if (!all.length) return;
      var at = all.indexOf(document.activeElement);
      if (at < 0) at = current;
      current = Math.max(0, Math.min(all.length - 1, at + step));
      all.forEach(function (el) { el.classList.remove("kb-current"); });
      var el = all[current];
      el.classList.add("kb-current");
      el.focus();
      el.scrollIntoView({ block: "center" });
    };
    var reasons = function () {
      var all = fieldsOf();
      var path = current >= 0 && all[current] ? all[current].getAttribute("data-review-field") : "";
      var boxes = Array.from(document.querySelectorAll("input[name=reason]"));
      if (!boxes.length) return;
      // The reason of the field or of the list it is an item of (…preapprovals.0.category).
      var match = boxes.filter(function (b) {
        var f = b.getAttribute("data-field");
        return path && (path === f || path.indexOf(f + ".") === 0);
      })[0] || boxes[0];
      var picker = match.closest("details");
      if (picker) picker.open = true;
      match.focus();
      match.scrollIntoView({ block: "center" });
    };
    var approve = function () {
      var form = document.querySelector("form[data-approve]");
      if (form && window.confirm("确认审核通过本备案？")) form.submit();
    };
    var help = function () {
      var box = document.getElementById("kb-help");
      if (!box) return;
      box.classList.add("kb-flash");
      box.focus();
      box.scrollIntoView({ block: "center" });
      setTimeout(function () { box.classList.remove("kb-flash"); }, 1500);
    };
    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (toggle && !toggle.checked) return;
      var act = { j: function () { move(1); }, k: function () { move(-1); }, r: reasons, a: approve, "?": help }[e.key];
      if (!act) return;
      e.preventDefault();
      act();
    });
  }
})();
