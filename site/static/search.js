/* Autocomplete for the search box on every page (WAI-ARIA combobox with a listbox popup).
 * Asks the service's /search for JSON; where no service answers (the static site), it loads the
 * static index once and ranks labels here, in the same order as the service. */
(function () {
  "use strict";
  var EXTRA = { "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ß": "ss" };
  var FIELDS = { pref: 0, alt: 1, hidden: 2 };
  var QUALITIES = ["exact", "label-prefix", "word-prefix"];

  function fold(text) {
    var bare = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
      .replace(/[łøđħıæœþðß]/g, function (c) { return EXTRA[c]; });
    return (bare.match(/[\p{L}\p{N}_]+/gu) || []).join(" ");
  }

  function sameLanguage(tag, lang) {
    return tag === lang || (tag !== "" && (tag.indexOf(lang + "-") === 0 || lang.indexOf(tag + "-") === 0));
  }

  function pickLabel(labels, lang, fallback) {
    var order = [lang, fallback, "", "en"];
    for (var i = 0; i < order.length; i++) {
      if (Object.prototype.hasOwnProperty.call(labels, order[i])) return [labels[order[i]], order[i]];
    }
    var tags = Object.keys(labels).sort();
    return tags.length ? [labels[tags[0]], tags[0]] : ["", ""];
  }

  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  /* The service's ranking: exact > label prefix > word prefix; language; pref > alt > hidden. */
  function searchStatic(index, query, lang, limit) {
    var key = fold(query), best = {};
    if (!key) return [];
    index.entries.forEach(function (e, ref) {
      var folded = e[4], quality;
      if (folded === key) quality = 0;
      else if (folded.indexOf(key) === 0) quality = 1;
      else if (folded.indexOf(" " + key) >= 0) quality = 2;
      else return;
      var rank = [quality, sameLanguage(e[2], lang) ? 0 : 1, FIELDS[e[3]], e[1].length, folded, ref];
      if (!best[e[0]] || compare(rank, best[e[0]]) < 0) best[e[0]] = rank;
    });
    return Object.keys(best).map(function (r) { return [Number(r), best[r]]; })
      .sort(function (a, b) { return compare(a[1], b[1]) || a[0] - b[0]; })
      .slice(0, limit)
      .map(function (item) {
        var res = index.resources[item[0]], entry = index.entries[item[1][5]];
        var shown = pickLabel(res.labels, lang, index.default_language);
        return { iri: res.iri, href: res.page.replace("{lang}", lang), label: shown[0], label_lang: shown[1],
                 matched: entry[3] === "hidden" ? null : entry[1], matched_lang: entry[2],
                 field: entry[3], quality: QUALITIES[item[1][0]] };
      });
  }

  function Searcher(endpoint, indexUrl) {
    this.endpoint = endpoint;
    this.indexUrl = indexUrl;
    this.index = null;
    this.live = true;
  }
  Searcher.prototype.loadIndex = function () {
    var self = this;
    if (!this.index) {
      this.index = fetch(this.indexUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("no search index"); return r.json(); });
      this.index.catch(function () { self.index = null; });
    }
    return this.index;
  };
  Searcher.prototype.search = function (query, lang, limit) {
    var self = this;
    if (this.live) {
      var url = this.endpoint + "?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(lang) + "&limit=" + limit;
      return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (r.ok && type.indexOf("json") >= 0) return r.json().then(function (data) { return data.results; });
        self.live = false;  // a static host: no service behind /search
        return self.search(query, lang, limit);
      }, function () { self.live = false; return self.search(query, lang, limit); });
    }
    return this.loadIndex().then(function (index) { return searchStatic(index, query, lang, limit); });
  };

  function option(result, n, idPrefix, lang) {
    var li = document.createElement("li"), label = document.createElement("span");
    li.id = idPrefix + n;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.dataset.href = result.href;
    label.textContent = result.label;
    if (result.label_lang !== lang) label.lang = result.label_lang || "und";
    li.appendChild(label);
    if (result.matched && result.matched !== result.label) {
      var matched = document.createElement("span");
      matched.className = "matched";
      matched.lang = result.matched_lang || "und";
      matched.textContent = result.matched;
      li.appendChild(matched);
    }
    return li;
  }

  function Combobox(form) {
    this.form = form;
    this.input = form.querySelector("[role=combobox]");
    this.list = document.getElementById(this.input.getAttribute("aria-controls"));
    this.status = form.querySelector("[aria-live]");
    this.lang = form.dataset.lang || document.documentElement.lang || "en";
    this.searcher = new Searcher(form.dataset.endpoint, form.dataset.index);
    this.active = -1;
    this.timer = null;
    this.sequence = 0;
    var self = this;
    this.input.addEventListener("input", function () {
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.update(); }, 150);
    });
    this.input.addEventListener("keydown", function (event) { self.onKey(event); });
    this.input.addEventListener("blur", function () { setTimeout(function () { self.close(); }, 150); });
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var li = event.target.closest("[role=option]");
      if (li) window.location.assign(li.dataset.href);
    });
    form.addEventListener("submit", function (event) {
      if (self.active >= 0) { event.preventDefault(); self.go(); }
    });
  }
  Combobox.prototype.options = function () { return this.list.querySelectorAll("[role=option]"); };
  Combobox.prototype.update = function () {
    var self = this, query = this.input.value, seq = ++this.sequence;
    if (fold(query).length < 2) { this.close(); return; }
    this.searcher.search(query, this.lang, 8).then(function (results) {
      if (seq === self.sequence) self.show(results);
    }).catch(function () { self.close(); });
  };
  Combobox.prototype.show = function (results) {
    var self = this;
    this.list.textContent = "";
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    results.forEach(function (r, n) { self.list.appendChild(option(r, n, self.list.id + "-", self.lang)); });
    var open = results.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (this.status) this.status.textContent = results.length + (results.length === 1 ? " suggestion" : " suggestions");
  };
  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };
  Combobox.prototype.move = function (step) {
    var options = this.options();
    if (!options.length) return;
    if (this.active >= 0) options[this.active].setAttribute("aria-selected", "false");
    this.active = (this.active + step + options.length) % options.length;
    var current = options[this.active];
    current.setAttribute("aria-selected", "true");
    current.scrollIntoView({ block: "nearest" });
    this.input.setAttribute("aria-activedescendant", current.id);
  };
  Combobox.prototype.go = function () {
    var options = this.options();
    if (this.active >= 0 && options[this.active]) window.location.assign(options[this.active].dataset.href);
  };
  Combobox.prototype.onKey = function (event) {
    var expanded = !this.list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (expanded) this.move(1); else this.update();
    } else if (event.key === "ArrowUp" && expanded) {
      event.preventDefault();
      this.move(-1);
    } else if (event.key === "Enter" && expanded && this.active >= 0) {
      event.preventDefault();
      this.go();
    } else if (event.key === "Escape") {
      if (expanded) { event.preventDefault(); this.close(); } else { this.input.value = ""; }
    }
  };

  /* The search page of the static site: no server rendered the results, so render them here. */
  function fillResultsPage(searcher, lang) {
    var section = document.querySelector(".results[data-query]");
    var query = new URLSearchParams(window.location.search).get("q") || "";
    if (!section || !query || section.dataset.query === query) return;
    var list = section.querySelector("ol"), field = document.getElementById("search-page-q");
    if (field) field.value = query;
    searcher.live = false;
    searcher.search(query, lang, 50).then(function (results) {
      list.textContent = "";
      results.forEach(function (r) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = r.href;
        a.textContent = r.label;
        if (r.label_lang !== lang) a.lang = r.label_lang || "und";
        li.appendChild(a);
        list.appendChild(li);
      });
      section.dataset.query = query;
    });
  }

  window.microcredSearch = { fold: fold, searchStatic: searchStatic };
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-endpoint]");
    for (var i = 0; i < forms.length; i++) {
      var box = new Combobox(forms[i]);
      if (i === 0) fillResultsPage(box.searcher, box.lang);
    }
  });
})();
