/// The page at `/`: choose a model, drop or pick smear images, read each image's class,
/// probabilities, cost-optimal class and referral flag, toggle its Grad-CAM overlay, see the
/// case's counts per class and download them as CSV; for the hybrid network, also toggle its purple mask.
///
/// One self-contained document (no external script, font or stylesheet), driven by the JSON API
/// with the key the user types (kept in the tab's session storage). Every control is a native
/// form element, so the page works with the keyboard; the API's errors are shown in words in an
/// alert region.
enum ServicePage {
    static let html = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Leukemia: blood-cell image classification</title>
    <link rel="icon" href="data:,">
    <style>
    :root { --ink: #1d2330; --muted: #5b6475; --line: #d8dce3; --accent: #5a2d82; --warn: #9a3412; --bg: #f6f7f9; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
    header { padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); }
    h1 { font-size: 20px; margin: 0; }
    header p { margin: 2px 0 0; color: var(--muted); font-size: 13px; }
    main { padding: 16px 24px 40px; max-width: 1180px; }
    .controls { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: end; margin-bottom: 14px; }
    .controls label { display: block; font-size: 12px; color: var(--muted); margin-bottom: 3px; }
    select, input[type=password], button { font: inherit; padding: 6px 10px; border: 1px solid #b9c0cc; border-radius: 6px; background: #fff; color: var(--ink); }
    button { cursor: pointer; }
    button:disabled { cursor: default; color: #9aa1ad; }
    :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
    #model-info { color: var(--muted); font-size: 13px; }
    .drop { position: relative; }
    #files { position: absolute; width: 1px; height: 1px; opacity: 0; }
    #files:focus-visible + label { outline: 3px solid #f59e0b; outline-offset: 2px; }
    .drop label { display: block; padding: 22px; border: 2px dashed #a8afbd; border-radius: 10px; background: #fff; text-align: center; cursor: pointer; color: var(--muted); }
    .drop label.over { border-color: var(--accent); background: #f3edf9; }
    .drop label strong { color: var(--accent); }
    #status { min-height: 22px; margin: 8px 0; color: var(--muted); }
    #error { margin: 8px 0; padding: 10px 14px; border-radius: 8px; background: #fdecea; color: #7f1d1d; border: 1px solid #f5c2c0; }
    #summary { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin: 10px 0 16px; }
    #summary h2 { font-size: 16px; margin: 0 0 8px; }
    #summary table { border-collapse: collapse; margin-bottom: 10px; }
    #summary th, #summary td { padding: 3px 14px 3px 0; text-align: left; }
    #summary td.count { text-align: right; font-variant-numeric: tabular-nums; }
    #cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 14px; }
    .card { display: grid; grid-template-columns: 120px 1fr; gap: 12px; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px; }
    .card.referred { border-color: #f0a46b; box-shadow: inset 4px 0 0 #f0a46b; }
    .card img { width: 120px; height: 120px; object-fit: cover; border-radius: 6px; background: #eee; image-rendering: auto; }
    .card h3 { font-size: 13px; margin: 0 0 4px; word-break: break-all; color: var(--muted); font-weight: 600; }
    .card p { margin: 2px 0; }
    .class { font-size: 18px; color: var(--accent); }
    .flag { display: inline-block; margin-top: 4px; padding: 1px 8px; border-radius: 10px; background: #ffedd5; color: var(--warn); font-size: 12px; font-weight: 600; }
    .bars { margin: 8px 0; padding: 0; list-style: none; grid-column: 1 / -1; }
    .bars li { display: grid; grid-template-columns: 90px 1fr 48px; gap: 8px; align-items: center; font-size: 13px; }
    .bar { height: 10px; background: #eceef2; border-radius: 5px; overflow: hidden; }
    .bar span { display: block; height: 100%; background: #8f6bb8; }
    .bars li.top .bar span { background: var(--accent); }
    .bars .value { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
    .card .actions { grid-column: 1 / -1; }
    .muted { color: var(--muted); font-size: 13px; }
    </style>
    </head>
    <body>
    <header>
      <h1>Blood-cell image classification</h1>
      <p>Decision support for a laboratory: a person decides. Every prediction is recorded in the server's audit log.</p>
    </header>
    <main>
      <div class="controls">
        <div><label for="model">Model</label><select id="model" aria-describedby="model-info"></select></div>
        <div><label for="key">API key (if the server asks for one)</label><input id="key" type="password" autocomplete="off" size="28"></div>
        <div id="model-info"></div>
      </div>
      <div class="drop">
        <input id="files" type="file" accept="image/jpeg,image/png" multiple>
        <label for="files" id="drop-zone">Drop smear images (JPEG or PNG) here, or <strong>choose files</strong></label>
      </div>
      <div id="status" role="status" aria-live="polite"></div>
      <div id="error" role="alert" hidden></div>
      <section id="summary" aria-labelledby="summary-title" hidden>
        <h2 id="summary-title">Case summary</h2>
        <table><thead><tr><th scope="col">Class</th><th scope="col">Images</th></tr></thead><tbody id="counts"></tbody></table>
        <button id="csv" type="button">Download CSV</button>
        <button id="clear" type="button">Clear the case</button>
      </section>
      <section id="cards" aria-label="Classified images"></section>
    </main>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const state = { models: [], results: [] };
    const reasons = {
      400: "The image could not be read", 401: "The server needs a valid API key (type it above)",
      404: "Not found", 413: "Too large", 415: "Not a JPEG or PNG image",
      422: "Not possible with this model", 503: "The server is busy", 500: "The server failed"
    };

    class ApiError extends Error {
      constructor(status, body, retryAfter) {
        const reason = reasons[status] || ("The server answered " + status);
        const detail = body && body.detail ? ": " + body.detail : "";
        super(reason + detail + (retryAfter ? " Try again in " + retryAfter + " s." : ""));
        this.status = status;
      }
    }

    function authorization() {
      const key = $("key").value.trim();
      return key ? { "Authorization": "Bearer " + key } : {};
    }

    async function api(path, options = {}) {
      let response;
      try {
        response = await fetch(path, { ...options, headers: { ...authorization(), ...(options.headers || {}) } });
      } catch (error) {
        throw new Error("The server cannot be reached: " + error.message);
      }
      if (!response.ok) {
        let body = null;
        try { body = await response.json(); } catch (_) {}
        throw new ApiError(response.status, body, response.headers.get("Retry-After"));
      }
      return response;
    }

    function showError(error) {
      $("error").textContent = error.message;
      $("error").hidden = false;
    }
    function clearError() { $("error").hidden = true; $("error").textContent = ""; }
    function setStatus(text) { $("status").textContent = text; }

    function currentModel() { return state.models.find((model) => model.name === $("model").value); }

    function describeModel() {
      const model = currentModel();
      if (!model) { $("model-info").textContent = ""; return; }
      const accuracy = model.test_metrics && typeof model.test_metrics.accuracy === "number"
        ? ", test accuracy " + (100 * model.test_metrics.accuracy).toFixed(1) + " %" : "";
      $("model-info").textContent = model.architecture + ", " + model.input_size + " px, classes " + model.classes.join(", ")
        + accuracy + (model.calibrated ? ", calibrated" : "");
    }

    async function loadModels() {
      clearError();
      try {
        const answer = await (await api("/v1/models")).json();
        state.models = answer.models;
        const select = $("model"), previous = select.value;
        select.replaceChildren(...state.models.map((model) => new Option(model.name, model.name)));
        if (state.models.some((model) => model.name === previous)) select.value = previous;
        describeModel();
        setStatus(state.models.length + " model(s) available.");
      } catch (error) {
        showError(error);
      }
    }

    function element(tag, attributes = {}, children = []) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes)) {
        if (name === "text") node.textContent = value; else node.setAttribute(name, value);
      }
      node.append(...children);
      return node;
    }

    function card(entry) {
      const { result, model } = entry;
      const classes = model.classes;
      const top = result.predicted_class;
      const image = element("img", { src: entry.thumbnail, alt: "Image " + result.file });
      const bars = element("ul", { class: "bars", "aria-label": "Probabilities" }, classes.map((name) => {
        const p = result.probabilities[name] || 0;
        return element("li", { class: name === top ? "top" : "" }, [
          element("span", { text: name }),
          element("span", { class: "bar", role: "img", "aria-label": name + " " + (100 * p).toFixed(1) + " %" },
                  [element("span", { style: "width:" + (100 * p).toFixed(1) + "%" })]),
          element("span", { class: "value", text: p.toFixed(3) })
        ]);
      }));
      const info = element("div", {}, [
        element("h3", { class: "file", text: result.file }),
        element("p", {}, ["Class ", element("strong", { class: "class", text: top })]),
        element("p", { class: "muted" }, ["Cost-optimal: ", element("span", { class: "cost-optimal", text: result.cost_optimal_class }),
                                          " (expected cost " + result.expected_cost.toFixed(3) + ")"])
      ]);
      if (result.prediction_set) info.append(element("p", { class: "muted", text: "Prediction set: {" + result.prediction_set.join(", ") + "}" }));
      if (result.out_of_distribution) info.append(element("p", { class: "flag", text: "Out of distribution: " + result.out_of_distribution }));
      if (result.refer_to_person) info.append(element("p", { class: "flag referral", text: "Refer to a person" }));
      const views = [["grad-cam", "Grad-CAM", model.explainable]];
      if (model.purple_mask) views.push(["purple-mask", "purple mask", true]);
      const buttons = views.map(([view, label, possible]) => {
        const button = element("button", { type: "button", class: view === "grad-cam" ? "gradcam" : "purplemask", "aria-pressed": "false",
                                           "data-label": label }, [possible ? "Show " + label : "No " + label + " for this model"]);
        button.disabled = !possible;
        button.addEventListener("click", () => toggleView(entry, image, buttons, button, view));
        return button;
      });
      const actions = element("div", { class: "actions" }, buttons);
      return element("article", { class: "card" + (result.refer_to_person ? " referred" : ""), "data-file": result.file },
                     [image, info, bars, actions]);
    }

    function showOriginal(entry, image, buttons) {
      image.src = entry.thumbnail;
      image.alt = "Image " + entry.result.file;
      for (const other of buttons) {
        other.setAttribute("aria-pressed", "false");
        if (!other.disabled) other.textContent = "Show " + other.dataset.label;
      }
    }

    async function toggleView(entry, image, buttons, button, view) {
      clearError();
      if (button.getAttribute("aria-pressed") === "true") { showOriginal(entry, image, buttons); return; }
      entry.views = entry.views || {};
      if (!entry.views[view]) {
        button.disabled = true;
        try {
          const response = await api("/v1/models/" + encodeURIComponent(entry.model.name) + "/explain?view=" + view, {
            method: "POST", body: entry.file, headers: { "Content-Type": entry.file.type || "image/jpeg", "X-File-Name": entry.file.name }
          });
          entry.views[view] = URL.createObjectURL(await response.blob());
        } catch (error) {
          showError(error);
          return;
        } finally {
          button.disabled = false;
        }
      }
      showOriginal(entry, image, buttons);
      image.src = entry.views[view];
      image.alt = button.dataset.label + " of " + entry.result.file;
      button.setAttribute("aria-pressed", "true");
      button.textContent = "Hide " + button.dataset.label;
    }

    function summarize() {
      const counts = new Map();
      for (const entry of state.results) counts.set(entry.result.predicted_class, (counts.get(entry.result.predicted_class) || 0) + 1);
      const referred = state.results.filter((entry) => entry.result.refer_to_person).length;
      const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) =>
        element("tr", {}, [element("td", { text: name }), element("td", { class: "count", text: String(count) })]));
      rows.push(element("tr", {}, [element("td", { text: "Referred to a person" }), element("td", { class: "count", text: String(referred) })]));
      $("counts").replaceChildren(...rows);
      $("summary").hidden = state.results.length === 0;
    }

    function csvField(value) {
      const text = value === null || value === undefined ? "" : String(value);
      return /[",\n\r]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
    }

    function downloadCSV() {
      const classes = [...new Set(state.results.flatMap((entry) => entry.model.classes))];
      const header = ["file", "sha256", "model", "predicted_class", "cost_optimal_class", "expected_cost", "refer_to_person",
                      "out_of_distribution", ...classes.map((name) => "p_" + name)];
      const rows = state.results.map(({ result, model }) => [result.file, result.sha256, model.name, result.predicted_class,
        result.cost_optimal_class, result.expected_cost, result.refer_to_person, result.out_of_distribution,
        ...classes.map((name) => result.probabilities[name])]);
      const text = [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
      const link = element("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: "case.csv" });
      document.body.append(link);
      link.click();
      link.remove();
    }

    async function classify(files) {
      clearError();
      const model = currentModel();
      if (!model) { showError(new Error("Choose a model first (type the API key if the server asks for one).")); return; }
      const images = [...files];
      for (let start = 0; start < images.length; start += 16) {
        const chunk = images.slice(start, start + 16);
        setStatus("Classifying " + (start + 1) + "–" + (start + chunk.length) + " of " + images.length + " image(s)…");
        const form = new FormData();
        for (const file of chunk) form.append("images", file, file.name);
        try {
          const answer = await (await api("/v1/models/" + encodeURIComponent(model.name) + "/predict", { method: "POST", body: form })).json();
          answer.predictions.forEach((result, index) => {
            const entry = { result, model, file: chunk[index], thumbnail: URL.createObjectURL(chunk[index]) };
            state.results.push(entry);
            $("cards").append(card(entry));
          });
        } catch (error) {
          showError(error);
          setStatus("");
          summarize();
          return;
        }
      }
      setStatus(state.results.length + " image(s) classified with " + model.name + ".");
      summarize();
    }

    $("files").addEventListener("change", (event) => { classify(event.target.files); event.target.value = ""; });
    const zone = $("drop-zone");
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => { event.preventDefault(); zone.classList.remove("over"); classify(event.dataTransfer.files); });
    $("model").addEventListener("change", describeModel);
    $("key").value = sessionStorage.getItem("leukemia-key") || "";
    $("key").addEventListener("change", () => { sessionStorage.setItem("leukemia-key", $("key").value.trim()); loadModels(); });
    $("csv").addEventListener("click", downloadCSV);
    $("clear").addEventListener("click", () => { state.results = []; $("cards").replaceChildren(); summarize(); setStatus(""); });
    loadModels();
    </script>
    </body>
    </html>
    """#
}
