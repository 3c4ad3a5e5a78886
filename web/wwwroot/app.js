// The RawEngine editor page. The edit is a rawengine-edit object held here; every control builds a new one,
// the server renders it (views at the size they are shown) and saves it as the sidecar `rawengine convert` reads.

const $ = (id) => document.getElementById(id);

const state = {
  file: null,
  size: null,            // the oriented image at scale 1, {width, height}
  edit: null,            // what is on screen (a slider being dragged included)
  committed: null,       // JSON of the last finished change: what undo returns to and what is saved
  history: [],
  future: [],
  zoom: 'fit',           // 'fit' or 'full' (one image pixel per CSS pixel)
  center: { x: 0, y: 0 },
  transform: { scale: 1, x: 0, y: 0 },   // image pixel -> viewer pixel
  shown: null,           // the region the preview image holds, {x, y, w, h}
  points: [],
  models: {},
};

// ---- talking to the server -------------------------------------------------------------------------------

async function api(path, body, signal) {
  const init = body === undefined
    ? { signal }
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
  const response = await fetch(path, init);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error ?? message; } catch { /* not JSON */ }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return response;
}

function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

// ---- edits -------------------------------------------------------------------------------------------------

const entry = (edit, instance) => edit.modules.find((m) => m.module === instance);
const params = (edit, instance) => entry(edit, instance)?.params ?? {};
const isOn = (edit, instance) => { const m = entry(edit, instance); return m !== undefined && m.enabled !== false; };

/** A copy of the edit with the instance's params patched and its enabled flag set (added when missing). */
function withModule(edit, instance, patch = {}, enabled = true) {
  const next = structuredClone(edit);
  let module = entry(next, instance);
  if (!module) {
    module = { module: instance, enabled, params: {} };
    next.modules.push(module);
  }
  module.params = { ...(module.params ?? {}), ...patch };
  module.enabled = enabled;
  return next;
}

/** A copy with the instance switched off, if the edit has it. */
function withOff(edit, instance) {
  return entry(edit, instance) ? withModule(edit, instance, {}, false) : edit;
}

/** A copy without the instance and the mask group it blends through. */
function without(edit, instance) {
  const next = structuredClone(edit);
  const group = entry(next, instance)?.blend?.mask;
  next.modules = next.modules.filter((m) => m.module !== instance);
  if (group && next.masks?.groups) {
    next.masks.groups = next.masks.groups.filter((g) => g.id !== group);
    if (next.masks.groups.length === 0) delete next.masks;
  }
  return next;
}

/** Shows an edit; a final change is also kept for undo and saved as the sidecar. */
function change(edit, final) {
  state.edit = edit;
  if (final) {
    const json = JSON.stringify(edit);
    if (json !== state.committed) {
      state.history.push(state.committed);
      state.future = [];
      state.committed = json;
      saveSoon();
    }
    updateButtons();
  }
  render();
}

function undo() {
  if (state.history.length === 0) return;
  state.future.push(state.committed);
  restore(state.history.pop());
}

function redo() {
  if (state.future.length === 0) return;
  state.history.push(state.committed);
  restore(state.future.pop());
}

function restore(json) {
  state.committed = json;
  state.edit = JSON.parse(json);
  syncControls();
  updateButtons();
  saveSoon();
  render();
}

let saveTimer = 0;
function saveSoon() {
  clearTimeout(saveTimer);
  const file = state.file;
  const edit = state.edit;
  saveTimer = setTimeout(() => api('/api/edit', { file, edit }).catch((e) => setStatus(`not saved: ${e.message}`, true)), 300);
}

// ---- controls ----------------------------------------------------------------------------------------------

const number = (id, digits = 2) => {
  const value = Number($(id).value);
  const output = $(`${id}-value`);
  if (output) output.textContent = value.toFixed(digits);
  return value;
};

/** The edit the controls describe, built on the last committed one. */
function fromControls() {
  let edit = JSON.parse(state.committed);
  edit = withModule(edit, 'exposure', { exposure: number('exposure') });

  const wb = $('wb').value;
  $('wb-custom').hidden = wb !== 'custom';
  edit = withModule(edit, 'temperature', wb === 'custom'
    ? { mode: 'custom', red: number('wb-red'), green: 1, blue: number('wb-blue') }
    : { mode: wb });

  edit = withModule(edit, 'sigmoid', { contrast: number('contrast') }, $('tone').value === 'sigmoid');

  const demosaic = $('demosaic').value;
  if (demosaic === 'nn') edit = withModule(edit, 'demosaic_nn');
  else edit = withModule(withOff(edit, 'demosaic_nn'), 'demosaic', { method: demosaic });

  const denoise = $('denoise').value;
  const strength = number('denoise-strength');
  edit = withOff(withOff(edit, 'denoise'), 'denoise_nn');
  if (denoise === 'classic') edit = withModule(edit, 'denoise', { strength });
  if (denoise === 'nn') edit = withModule(edit, 'denoise_nn', { strength });
  return edit;
}

/** Sets the controls from the edit (after opening a file, undo, redo, apply). */
function syncControls() {
  const edit = state.edit;
  const set = (id, value) => { $(id).value = value; number(id); };
  set('exposure', params(edit, 'exposure').exposure ?? 0.7);
  const wb = params(edit, 'temperature');
  $('wb').value = wb.mode ?? 'as_shot';
  $('wb-custom').hidden = $('wb').value !== 'custom';
  set('wb-red', wb.red ?? 2);
  set('wb-blue', wb.blue ?? 1.5);
  $('tone').value = entry(edit, 'sigmoid')?.enabled === false ? 'none' : 'sigmoid';
  set('contrast', params(edit, 'sigmoid').contrast ?? 1.5);
  $('demosaic').value = isOn(edit, 'demosaic_nn') ? 'nn' : (params(edit, 'demosaic').method ?? 'auto');
  $('denoise').value = isOn(edit, 'denoise_nn') ? 'nn' : isOn(edit, 'denoise') ? 'classic' : 'off';
  set('denoise-strength', params(edit, isOn(edit, 'denoise_nn') ? 'denoise_nn' : 'denoise').strength ?? 1);
  showLayers();
}

/** One slider per object exposure the edit has, with a button to remove it. */
function showLayers() {
  const list = $('layers');
  list.replaceChildren();
  for (const module of state.edit.modules.filter((m) => m.module.startsWith('exposure#'))) {
    const item = document.createElement('li');
    const label = document.createElement('label');
    const value = document.createElement('output');
    const slider = Object.assign(document.createElement('input'), { type: 'range', min: -3, max: 3, step: 0.05 });
    slider.value = module.params?.exposure ?? 0;
    value.textContent = Number(slider.value).toFixed(2);
    const remove = Object.assign(document.createElement('button'), { textContent: 'Remove' });
    label.append(`${module.module.split('#')[1]} EV `, value, slider);
    item.append(label, remove);
    list.append(item);
    const update = (final) => {
      value.textContent = Number(slider.value).toFixed(2);
      change(withModule(JSON.parse(state.committed), module.module, { exposure: Number(slider.value) }), final);
    };
    slider.addEventListener('input', () => update(false));
    slider.addEventListener('change', () => update(true));
    remove.addEventListener('click', () => {
      change(without(JSON.parse(state.committed), module.module), true);
      showLayers();
    });
  }
}

function updateButtons() {
  $('undo').disabled = state.history.length === 0;
  $('redo').disabled = state.future.length === 0;
  $('zoom').disabled = $('export').disabled = state.file === null;
  $('zoom').textContent = state.zoom === 'fit' ? '100%' : 'Fit';
  $('apply-object').disabled = $('clear-object').disabled = state.points.length === 0;
}

// ---- the view ----------------------------------------------------------------------------------------------

/** Where the image sits in the viewer now, and the region and width to render for it. */
function layout() {
  const viewer = $('viewer');
  const vw = viewer.clientWidth;
  const vh = viewer.clientHeight;
  const { width, height } = state.size;
  if (state.zoom === 'fit') {
    const scale = Math.min(vw / width, vh / height);
    state.transform = { scale, x: (vw - width * scale) / 2, y: (vh - height * scale) / 2 };
    return { roi: null, width: Math.max(1, Math.min(width, Math.round(width * scale * devicePixelRatio))) };
  }
  const w = Math.min(vw, width);
  const h = Math.min(vh, height);
  const x = Math.round(Math.min(Math.max(state.center.x - w / 2, 0), width - w));
  const y = Math.round(Math.min(Math.max(state.center.y - h / 2, 0), height - h));
  state.center = { x: x + w / 2, y: y + h / 2 };
  state.transform = { scale: 1, x: width < vw ? (vw - width) / 2 : -x, y: height < vh ? (vh - height) / 2 : -y };
  return { roi: { x, y, w, h }, width: w };
}

/** Puts the preview, the mask overlay and the clicks where the current transform says. */
function place() {
  if (!state.size) return;
  const { scale, x, y } = state.transform;
  const put = (element, region) => Object.assign(element.style, {
    left: `${x + region.x * scale}px`, top: `${y + region.y * scale}px`,
    width: `${region.w * scale}px`, height: `${region.h * scale}px`,
  });
  if (state.shown) put($('preview'), state.shown);
  put($('overlay'), { x: 0, y: 0, w: state.size.width, h: state.size.height });
  $('clicks').replaceChildren(...state.points.map((p) => {
    const dot = document.createElement('span');
    dot.className = p.positive ? 'positive' : 'negative';
    Object.assign(dot.style, { left: `${x + p.x * scale}px`, top: `${y + p.y * scale}px` });
    return dot;
  }));
}

let frame = 0;
function render() {
  if (!state.file) return;
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(renderNow);
}

let renderAbort = null;
async function renderNow() {
  const view = layout();
  place();
  renderAbort?.abort();
  const abort = renderAbort = new AbortController();
  const started = performance.now();
  try {
    // The server also cancels an older render of view "main" when this one arrives.
    const response = await api('/api/render', { file: state.file, edit: state.edit, width: view.width, roi: view.roi, view: 'main' }, abort.signal);
    const url = URL.createObjectURL(await response.blob());
    const next = new Image();
    next.src = url;
    await next.decode();
    if (abort !== renderAbort) { URL.revokeObjectURL(url); return; }
    const preview = $('preview');
    const old = preview.src;
    preview.src = url;
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
    state.shown = view.roi ?? { x: 0, y: 0, w: state.size.width, h: state.size.height };
    place();
    preview.dataset.renders = String(Number(preview.dataset.renders ?? 0) + 1);
    setStatus(`${next.naturalWidth}×${next.naturalHeight} in ${Math.round(performance.now() - started)} ms`);
  } catch (e) {
    if (e.name === 'AbortError' || e.status === 409) return;
    setStatus(e.message, true);
  }
}

/** The image pixel under a pointer event, or null outside the image. */
function imagePoint(event) {
  const box = $('viewer').getBoundingClientRect();
  const { scale, x, y } = state.transform;
  const ix = (event.clientX - box.left - x) / scale;
  const iy = (event.clientY - box.top - y) / scale;
  return ix >= 0 && iy >= 0 && ix < state.size.width && iy < state.size.height ? { x: ix, y: iy } : null;
}

function zoomTo(point) {
  if (state.zoom === 'fit') {
    state.zoom = 'full';
    state.center = point ?? { x: state.size.width / 2, y: state.size.height / 2 };
  } else {
    state.zoom = 'fit';
  }
  updateButtons();
  render();
}

// ---- the object tool ---------------------------------------------------------------------------------------

const objectMode = () => $('select-object').getAttribute('aria-pressed') === 'true';

async function click(point, positive) {
  state.points.push({ x: point.x, y: point.y, positive });
  updateButtons();
  place();
  setStatus('finding the object…');
  try {
    const response = await api('/api/mask', { file: state.file, edit: state.edit, points: state.points });
    const overlay = $('overlay');
    const old = overlay.src;
    overlay.src = URL.createObjectURL(await response.blob());
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
    overlay.dataset.area = response.headers.get('X-Mask-Area');
    overlay.hidden = false;
    setStatus(`object: ${response.headers.get('X-Mask-Area')} px, predicted IoU ${response.headers.get('X-Mask-Score')}`);
  } catch (e) {
    state.points.pop();
    updateButtons();
    place();
    setStatus(e.message, true);
  }
}

function clearObject() {
  state.points = [];
  $('overlay').hidden = true;
  delete $('overlay').dataset.area;
  updateButtons();
  place();
}

async function applyObject() {
  setStatus('applying…');
  try {
    const response = await api('/api/mask/apply', {
      file: state.file, edit: JSON.parse(state.committed), points: state.points, exposure: number('object-exposure'),
    });
    const result = await response.json();
    clearObject();
    change(result.edit, true);
    showLayers();
    setStatus(`added ${result.instance}`);
  } catch (e) {
    setStatus(e.message, true);
  }
}

function showModels(models) {
  state.models = models;
  const note = $('models-note');
  if (!models.mask) {
    note.hidden = false;
    note.innerHTML = 'Object masks need a segmentation model. Install the shipped models with <code></code>, or start with <code>--models DIR</code>.';
    note.querySelector('code').textContent = models.install;
    $('select-object').disabled = true;
  }
  for (const [select, task] of [['demosaic', 'demosaic'], ['denoise', 'denoise']]) {
    const option = $(select).querySelector('option[value="nn"]');
    if (!models[task]) {
      option.disabled = true;
      option.textContent += ` (${models.install})`;
    }
  }
}

// ---- files -------------------------------------------------------------------------------------------------

async function showFiles() {
  const { files } = await (await api('/api/files')).json();
  $('strip').replaceChildren(...files.map(({ name }) => {
    const button = document.createElement('button');
    button.dataset.file = name;
    const thumb = Object.assign(document.createElement('img'), { src: `/api/thumb?file=${encodeURIComponent(name)}`, alt: '', loading: 'lazy' });
    button.append(thumb, name);
    button.addEventListener('click', () => open(name));
    return button;
  }));
}

async function open(name) {
  setStatus(`opening ${name}…`);
  try {
    const info = await (await api(`/api/edit?file=${encodeURIComponent(name)}`)).json();
    state.file = info.file;
    state.size = { width: info.width, height: info.height };
    state.edit = info.edit;
    state.committed = JSON.stringify(info.edit);
    state.history = [];
    state.future = [];
    state.zoom = 'fit';
    state.shown = null;
    $('preview').removeAttribute('src');
    clearObject();
    $('file-name').textContent = `${info.file} · ${info.width}×${info.height}`;
    $('empty').hidden = true;
    for (const button of $('strip').children) button.setAttribute('aria-current', String(button.dataset.file === name));
    history.replaceState(null, '', `?file=${encodeURIComponent(name)}`);
    syncControls();
    updateButtons();
    render();
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function exportFile() {
  const format = $('export-format').value;
  setStatus('exporting…');
  clearTimeout(saveTimer);
  try {
    const result = await (await api('/api/export', { file: state.file, edit: JSON.parse(state.committed), format })).json();
    setStatus(`exported ${result.output}`);
  } catch (e) {
    setStatus(e.message, true);
  }
}

// ---- wiring ------------------------------------------------------------------------------------------------

for (const id of ['exposure', 'wb-red', 'wb-blue', 'contrast', 'denoise-strength']) {
  $(id).addEventListener('input', () => state.file && change(fromControls(), false));
  $(id).addEventListener('change', () => state.file && change(fromControls(), true));
}
for (const id of ['wb', 'tone', 'demosaic', 'denoise']) {
  $(id).addEventListener('change', () => state.file && change(fromControls(), true));
}
$('object-exposure').addEventListener('input', () => number('object-exposure'));
$('undo').addEventListener('click', undo);
$('redo').addEventListener('click', redo);
$('zoom').addEventListener('click', () => zoomTo(null));
$('export').addEventListener('click', exportFile);
$('apply-object').addEventListener('click', applyObject);
$('clear-object').addEventListener('click', clearObject);
$('select-object').addEventListener('click', () => {
  const on = !objectMode();
  $('select-object').setAttribute('aria-pressed', String(on));
  $('viewer').classList.toggle('object', on);
});

document.addEventListener('keydown', (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.target instanceof HTMLInputElement && event.target.type !== 'range') return;
  const key = event.key.toLowerCase();
  if (key === 'z' && !event.shiftKey) { event.preventDefault(); undo(); }
  if ((key === 'z' && event.shiftKey) || key === 'y') { event.preventDefault(); redo(); }
});

// Drag pans a zoomed view; a click without a drag is a prompt when the object tool is on; double-click zooms.
const viewer = $('viewer');
let drag = null;
viewer.addEventListener('pointerdown', (event) => {
  if (!state.file) return;
  drag = { x: event.clientX, y: event.clientY, center: { ...state.center }, moved: false };
  viewer.setPointerCapture(event.pointerId);
});
viewer.addEventListener('pointermove', (event) => {
  if (!drag) return;
  const dx = event.clientX - drag.x;
  const dy = event.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
  if (!drag.moved || state.zoom === 'fit') return;
  viewer.classList.add('dragging');
  state.center = { x: drag.center.x - dx / state.transform.scale, y: drag.center.y - dy / state.transform.scale };
  render();
});
viewer.addEventListener('pointerup', (event) => {
  const wasClick = drag && !drag.moved;
  drag = null;
  viewer.classList.remove('dragging');
  if (!wasClick || !objectMode() || event.detail > 1) return;
  const point = imagePoint(event);
  if (point) click(point, !event.shiftKey);
});
viewer.addEventListener('dblclick', (event) => {
  if (state.file && !objectMode()) zoomTo(imagePoint(event));
});
new ResizeObserver(() => render()).observe(viewer);

(async () => {
  try {
    const [models] = await Promise.all([api('/api/models').then((r) => r.json()), showFiles()]);
    showModels(models);
    const requested = new URLSearchParams(location.search).get('file');
    if (requested) await open(requested);
  } catch (e) {
    setStatus(e.message, true);
  }
})();
