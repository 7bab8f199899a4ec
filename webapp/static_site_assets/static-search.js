// Search on the static copy of the site: the question is matched in the browser against
// search-index.json (every passage of every case and concept, and their names and summaries).
// The live site ranks with BM25 and stemming (kb/analysis/search.py); this is a smaller cousin:
// words are compared by their first letters, a name match counts more, rare words count more.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/static-search\.js(\?.*)?$/, "") : "/";
  var COMMON = ("a about after all also an and any are as at be been but by can could did do does for from had " +
    "has have how if in into is it its more most no not of on or other our so some such than that the their " +
    "them then there these they this those to was we were what when where which while who why will with would " +
    "you your").split(" ");

  function words(text) {
    return (text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").match(/[\p{L}\p{N}]+/gu) || []);
  }

  function stem(word) {
    return word.length > 5 ? word.slice(0, Math.max(5, word.length - 3)) : word;
  }

  function prepare(entry, fields) {
    entry.terms = {};
    fields.forEach(function (name) {
      words(entry[name] || "").forEach(function (word) {
        var key = stem(word);
        entry.terms[key] = (entry.terms[key] || 0) + 1;
      });
    });
    entry.nameTerms = {};
    words(entry.n + " " + (entry.a || []).join(" ")).forEach(function (word) {
      entry.nameTerms[stem(word)] = true;
    });
    return entry;
  }

  function rank(entries, wanted) {
    var documentsWith = {};
    entries.forEach(function (entry) {
      wanted.forEach(function (term) {
        if (entry.terms[term] || entry.nameTerms[term]) {
          documentsWith[term] = (documentsWith[term] || 0) + 1;
        }
      });
    });
    return entries.map(function (entry) {
      var score = 0;
      wanted.forEach(function (term) {
        var weight = Math.log(1 + entries.length / (1 + (documentsWith[term] || 0)));
        if (entry.terms[term]) {
          score += weight * (1 + Math.log(entry.terms[term]));
        }
        if (entry.nameTerms[term]) {
          score += 2 * weight;
        }
      });
      return { entry: entry, score: score };
    }).filter(function (hit) {
      return hit.score > 0;
    }).sort(function (a, b) {
      return b.score - a.score;
    });
  }

  function item(list, title, url, meta, text) {
    var li = document.createElement("li");
    var heading = document.createElement("p");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = title;
    heading.appendChild(link);
    li.appendChild(heading);
    if (meta) {
      var about = document.createElement("p");
      about.className = "meta";
      about.textContent = meta;
      li.appendChild(about);
    }
    var body = document.createElement("p");
    body.textContent = text.length > 300 ? text.slice(0, 297) + "…" : text;
    li.appendChild(body);
    list.appendChild(li);
  }

  function show(place, question, index) {
    var wanted = words(question).filter(function (word) {
      return COMMON.indexOf(word) < 0;
    }).map(stem);
    place.textContent = "";
    var heading = document.createElement("h2");
    heading.id = "static-results-title";
    place.appendChild(heading);
    if (!wanted.length) {
      heading.textContent = "“" + question + "” has only common words: add a word about what you want to know.";
      return;
    }
    var passages = rank(index.passages, wanted).slice(0, 20);
    var documents = rank(index.documents, wanted).slice(0, 10);
    heading.textContent = passages.length || documents.length ? "Answers for “" + question + "”"
      : "Nothing found for “" + question + "”";
    var note = document.createElement("p");
    note.className = "meta";
    note.textContent = "Searched in this static copy of the site, in your browser.";
    place.appendChild(note);
    if (passages.length) {
      var answers = document.createElement("ol");
      answers.className = "static-passages";
      passages.forEach(function (hit) {
        var p = hit.entry;
        item(answers, p.n + (p.s ? " · " + p.s : ""), p.u, "", p.t);
      });
      place.appendChild(answers);
    }
    if (documents.length) {
      var title = document.createElement("h3");
      title.textContent = "Cases and concepts";
      place.appendChild(title);
      var list = document.createElement("ul");
      list.className = "static-documents";
      documents.forEach(function (hit) {
        var d = hit.entry;
        item(list, d.n, d.u, d.k === "organisation" ? "case" : d.k, d.t || "");
      });
      place.appendChild(list);
    }
  }

  var form = document.querySelector("main form[role=search]");
  var question = new URLSearchParams(window.location.search).get("q") || "";
  if (!form || !question.trim()) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  if (input) {
    input.value = question;
  }
  var place = document.createElement("section");
  place.className = "search-results static-search";
  place.setAttribute("aria-live", "polite");
  place.setAttribute("aria-labelledby", "static-results-title");
  form.insertAdjacentElement("afterend", place);
  var examples = document.querySelector("main section[aria-labelledby=examples-title]");
  if (examples) {
    examples.hidden = true;
  }
  place.textContent = "Searching…";
  fetch(base + "search-index.json")
    .then(function (response) {
      return response.json();
    })
    .then(function (index) {
      index.passages.forEach(function (p) { prepare(p, ["t", "s", "n"]); });
      index.documents.forEach(function (d) { prepare(d, ["t", "n"]); });
      show(place, question.trim(), index);
    })
    .catch(function (error) {
      place.textContent = "The search index could not be loaded (" + error.message + ").";
    });
})();
