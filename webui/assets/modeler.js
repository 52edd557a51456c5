// The process owner's modeler: bpmn-js with its properties panel and a Wegwijs group that edits
// exactly what Wegwijs reads from a diagram (lane → role, form, candidate group, norm and its
// signal, phase and its text, scripts and conditions with a syntax check as you type, decision,
// messages, timers). Drafts save themselves on the server; a copy waits in localStorage until
// the server has it, so a browser crash loses nothing. Bundled by esbuild at `make` (no CDN).
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  useService
} from 'bpmn-js-properties-panel';
import {
  SelectEntry, TextAreaEntry, TextFieldEntry,
  isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import spiffworkflow from './spiffworkflow.json';
import { translate } from './nl.js';

const root = document.getElementById('modeler');
const config = JSON.parse(document.getElementById('modeler-config').textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const status = document.getElementById('save-status');
const errors = {};
let bus = null;

// ------------------------------------------------------------------ reading and writing the model

const bo = (element) => element.businessObject;
const is = (element, type) => bo(element) && bo(element).$instanceOf(type);

function extensions(element, type) {
  const ext = bo(element).get('extensionElements');
  return ext ? ext.get('values').filter((v) => v.$type === type) : [];
}

function property(element, name) {
  for (const props of extensions(element, 'spiffworkflow:Properties')) {
    const found = props.get('properties').find((p) => p.name === name);
    if (found) { return found.value || ''; }
  }
  return '';
}

function ensure(element, owner, type, services) {
  const [modeling, factory] = services;
  let ext = owner.get('extensionElements');
  if (!ext) {
    ext = factory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = owner;
    modeling.updateModdleProperties(element, owner, { extensionElements: ext });
  }
  let found = ext.get('values').find((v) => v.$type === type);
  if (!found) {
    found = factory.create(type, {});
    found.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), found] });
  }
  return found;
}

function setProperty(element, name, value, services) {
  const [modeling, factory] = services;
  const props = ensure(element, bo(element), 'spiffworkflow:Properties', services);
  const list = props.get('properties');
  const found = list.find((p) => p.name === name);
  if (!value) {
    if (found) { modeling.updateModdleProperties(element, props, { properties: list.filter((p) => p !== found) }); }
    return;
  }
  if (found) {
    modeling.updateModdleProperties(element, found, { value });
  } else {
    const created = factory.create('spiffworkflow:Property', { name, value });
    created.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: [...list, created] });
  }
}

function bodyOf(owner, type) {
  const ext = owner.get('extensionElements');
  const found = ext ? ext.get('values').find((v) => v.$type === type) : null;
  return found ? (found.value || '') : '';
}

function setBody(element, owner, type, value, services) {
  const [modeling] = services;
  const found = ensure(element, owner, type, services);
  modeling.updateModdleProperties(element, found, { value });
}

// ------------------------------------------------------------------ the syntax check as you type

const pending = {};
function checkText(entryId, kind, text, name) {
  clearTimeout(pending[entryId]);
  pending[entryId] = setTimeout(() => {
    fetch(config.checkUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify({ kind, text, name })
    })
      .then((r) => r.json())
      .then((answer) => {
        if (answer.message) { errors[entryId] = answer.message; } else { delete errors[entryId]; }
        if (bus) { bus.fire('propertiesPanel.setErrors', { errors: { ...errors } }); }
      })
      .catch(() => {});
  }, 250);
}

// ------------------------------------------------------------------ entries

function services() {
  return [useService('modeling'), useService('bpmnFactory')];
}

function textEntry(id, label, get, set, options = {}) {
  return {
    id,
    component: function Entry(props) {
      const s = services();
      const debounce = useService('debounceInput');
      const Component = options.area ? TextAreaEntry : TextFieldEntry;
      return h(Component, {
        element: props.element,
        id,
        label,
        description: options.description,
        debounce,
        monospace: options.area,
        rows: options.area ? 4 : undefined,
        getValue: (element) => get(element),
        setValue: (value) => {
          set(props.element, value || '', s);
          if (options.check) { checkText(id, options.check, value || '', options.name); }
        }
      });
    },
    isEdited: options.area ? isTextAreaEntryEdited : isTextFieldEntryEdited
  };
}

function selectEntry(id, label, choices, get, set) {
  return {
    id,
    component: function Entry(props) {
      const s = services();
      return h(SelectEntry, {
        element: props.element,
        id,
        label,
        getValue: (element) => get(element),
        setValue: (value) => set(props.element, value, s),
        getOptions: () => [{ value: '', label: '—' }, ...choices]
      });
    },
    isEdited: isSelectEntryEdited
  };
}

const propertyEntry = (id, label, name, options) =>
  textEntry(id, label, (el) => property(el, name), (el, v, s) => setProperty(el, name, v, s), options);

function timerEntries(element, prefix, label) {
  const definition = (bo(element).eventDefinitions || []).find((d) => d.$instanceOf('bpmn:TimerEventDefinition'));
  if (!definition) { return []; }
  const kind = ['timeDuration', 'timeDate', 'timeCycle'].find((k) => definition.get(k)) || 'timeDuration';
  return [textEntry(`${prefix}-timer`, label, () => (definition.get(kind) ? definition.get(kind).body || '' : ''),
    (el, value, [modeling, factory]) => {
      const expression = factory.create('bpmn:FormalExpression', { body: value });
      modeling.updateModdleProperties(el, definition, { [kind]: expression });
    }, { check: 'timer', name: kind,
      description: kind === 'timeDate' ? 'due_in("5 werkdagen") of "2026-12-01T09:00:00+01:00"' : '"P14D" (tussen aanhalingstekens)' })];
}

function wegwijsEntries(element) {
  const entries = [];
  const roles = config.roles.map((r) => ({ value: r, label: r }));
  if (is(element, 'bpmn:Lane')) {
    entries.push(selectEntry('wegwijs-role', 'Rol (wie doet de taken in deze baan)', roles,
      (el) => bo(el).name || '', (el, v, [modeling]) => modeling.updateProperties(el, { name: v })));
  }
  if (is(element, 'bpmn:UserTask')) {
    entries.push(selectEntry('wegwijs-form', 'Formulier', config.forms.map((f) => ({ value: f, label: f })),
      (el) => property(el, 'formJsonSchemaFilename'), (el, v, s) => setProperty(el, 'formJsonSchemaFilename', v, s)));
    entries.push(propertyEntry('wegwijs-norm', 'Doorlooptijdnorm', 'norm',
      { check: 'property', name: 'norm', description: 'bijvoorbeeld "10 werkdagen", "6 weken" of "P14D"' }));
    entries.push(propertyEntry('wegwijs-group', 'Kandidaatgroep (gegevenspad, bijv. aspect.team)', 'group',
      { check: 'property', name: 'group' }));
    entries.push(propertyEntry('wegwijs-context', 'Context in de werkvoorraad (gegevens, met komma)', 'context'));
    (element.attachers || []).forEach((attached, index) => {
      entries.push(...timerEntries(attached, `wegwijs-signal-${index}`,
        `Signaal bij de norm: ${bo(attached).name || attached.id}`));
    });
  }
  if (is(element, 'bpmn:IntermediateThrowEvent') && !(bo(element).eventDefinitions || []).length) {
    entries.push(selectEntry('wegwijs-phase', 'Fase (mijlpaal voor de initiatiefnemer)',
      config.phases.map((p) => ({ value: p.code, label: p.label })),
      (el) => property(el, 'phase'), (el, v, s) => setProperty(el, 'phase', v, s)));
    entries.push(propertyEntry('wegwijs-phase-text', 'Tekst voor de initiatiefnemer (leeg: de standaardtekst)', 'phase_text', { area: true }));
  }
  if (is(element, 'bpmn:ScriptTask')) {
    entries.push(textEntry('wegwijs-script', 'Script (Python)', (el) => bo(el).script || '',
      (el, v, [modeling]) => modeling.updateProperties(el, { scriptFormat: 'python', script: v }),
      { area: true, check: 'script' }));
  }
  if (is(element, 'bpmn:Task') || is(element, 'bpmn:Event')) {
    entries.push(textEntry('wegwijs-prescript', 'Script vooraf (Python)', (el) => bodyOf(bo(el), 'spiffworkflow:PreScript'),
      (el, v, s) => setBody(el, bo(el), 'spiffworkflow:PreScript', v, s), { area: true, check: 'script' }));
  }
  if (is(element, 'bpmn:SequenceFlow') && bo(element).sourceRef && bo(element).sourceRef.$instanceOf('bpmn:Gateway')) {
    entries.push(textEntry('wegwijs-condition', 'Voorwaarde (Python)',
      (el) => (bo(el).conditionExpression ? bo(el).conditionExpression.body || '' : ''),
      (el, v, [modeling, factory]) => modeling.updateProperties(el, {
        conditionExpression: v ? factory.create('bpmn:FormalExpression', { body: v }) : undefined
      }), { area: true, check: 'expression', description: 'bijvoorbeeld: decision == "VERLENEN"' }));
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    entries.push(selectEntry('wegwijs-decision', 'Beslistabel (DMN)', config.decisions.map((d) => ({ value: d, label: d })),
      (el) => bodyOf(bo(el), 'spiffworkflow:CalledDecisionId'),
      (el, v, s) => setBody(el, bo(el), 'spiffworkflow:CalledDecisionId', v, s)));
  }
  if (is(element, 'bpmn:ServiceTask')) {
    entries.push(selectEntry('wegwijs-operator', 'Dienst', config.operators.map((o) => ({ value: o, label: o })),
      (el) => (extensions(el, 'spiffworkflow:ServiceTaskOperator')[0] || {}).id || '',
      (el, v, s) => { const op = ensure(el, bo(el), 'spiffworkflow:ServiceTaskOperator', s); s[0].updateModdleProperties(el, op, { id: v }); }));
  }
  const message = (bo(element).eventDefinitions || []).find((d) => d.$instanceOf('bpmn:MessageEventDefinition'));
  if (message) {
    entries.push(textEntry('wegwijs-message', 'Naam van het bericht',
      () => (message.messageRef ? message.messageRef.name || '' : ''),
      (el, v, [modeling, factory]) => {
        if (message.messageRef) { modeling.updateModdleProperties(el, message.messageRef, { name: v }); return; }
        const definitions = bo(el).$parent && root.__definitions;
        const created = factory.create('bpmn:Message', { name: v });
        if (definitions) { created.$parent = definitions; definitions.get('rootElements').push(created); }
        modeling.updateModdleProperties(el, message, { messageRef: created });
      }));
    entries.push(textEntry('wegwijs-message-variable', 'Gegeven waarin de inhoud komt',
      () => bodyOf(message, 'spiffworkflow:MessageVariable'),
      (el, v, s) => setBody(el, message, 'spiffworkflow:MessageVariable', v, s)));
  }
  entries.push(...timerEntries(element, 'wegwijs-own', 'Timer'));
  return entries.map((entry) => ({ ...entry, element }));
}

function WegwijsProvider(propertiesPanel) {
  propertiesPanel.registerProvider(400, this);
}
WegwijsProvider.$inject = ['propertiesPanel'];
WegwijsProvider.prototype.getGroups = function (element) {
  return (groups) => {
    const entries = wegwijsEntries(element);
    if (entries.length) { groups.splice(1, 0, { id: 'wegwijs', label: 'Wegwijs', entries }); }
    return groups;
  };
};

// ------------------------------------------------------------------ what bpmn-js would drop

// SpiffWorkflow names a multi-instance task's input and output list by data key in
// loopDataInputRef/loopDataOutputRef; bpmn-moddle reads those as references to data elements,
// finds none, and leaves them out on export. Keep them as they were, per task.
const LOOP_REFS = ['loopDataInputRef', 'loopDataOutputRef'];
const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

function loopRefs(xml) {
  const found = {};
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  Array.from(doc.getElementsByTagNameNS(BPMN, 'multiInstanceLoopCharacteristics')).forEach((mi) => {
    const owner = mi.parentNode && mi.parentNode.getAttribute('id');
    LOOP_REFS.forEach((name) => {
      const ref = Array.from(mi.childNodes).find((n) => n.localName === name);
      if (owner && ref) { found[`${owner} ${name}`] = ref.textContent; }
    });
  });
  return found;
}

function restoreLoopRefs(xml, refs) {
  if (!Object.keys(refs).length) { return xml; }
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  let changed = false;
  Array.from(doc.getElementsByTagNameNS(BPMN, 'multiInstanceLoopCharacteristics')).forEach((mi) => {
    const owner = mi.parentNode && mi.parentNode.getAttribute('id');
    LOOP_REFS.slice().reverse().forEach((name) => {
      const text = refs[`${owner} ${name}`];
      if (text === undefined || Array.from(mi.childNodes).some((n) => n.localName === name)) { return; }
      const ref = doc.createElementNS(BPMN, `${mi.prefix ? `${mi.prefix}:` : ''}${name}`);
      ref.textContent = text;
      mi.insertBefore(ref, mi.firstChild);
      changed = true;
    });
  });
  return changed ? new XMLSerializer().serializeToString(doc) : xml;
}

// ------------------------------------------------------------------ the modeler and its saving

const modeler = new BpmnModeler({
  container: root,
  propertiesPanel: { parent: '#properties' },
  additionalModules: [
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    { __init__: ['wegwijsProvider'], wegwijsProvider: ['type', WegwijsProvider] },
    { translate: ['value', translate] }
  ],
  moddleExtensions: { spiffworkflow }
});
bus = modeler.get('eventBus');
window.wegwijsModeler = modeler; // for the browser tests and the page's own buttons

const storageKey = `wegwijs-draft-${config.draftId}-${config.file}`;
let revision = config.revision;
let saving = null;
let dirty = false;

function say(text, kind) {
  status.textContent = text;
  status.dataset.state = kind;
}

function save() {
  if (!dirty || saving) { return saving; }
  dirty = false;
  say('Opslaan…', 'saving');
  saving = exportXML()
    .then((xml) => {
      localStorage.setItem(storageKey, JSON.stringify({ revision, xml }));
      return fetch(config.saveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
        body: JSON.stringify({ file: config.file, text: xml, revision })
      }).then((r) => r.json().then((answer) => ({ ok: r.ok, answer })));
    })
    .then(({ ok, answer }) => {
      if (!ok) { throw new Error(answer.message || 'Opslaan mislukt'); }
      revision = answer.revision;
      localStorage.removeItem(storageKey);
      say(`Opgeslagen (versie ${revision} van het concept)`, 'saved');
      document.dispatchEvent(new CustomEvent('wegwijs:saved', { detail: answer }));
    })
    .catch((err) => {
      dirty = true;
      say(`${err.message} Uw wijzigingen staan nog in deze browser.`, 'error');
    })
    .finally(() => { saving = null; if (dirty) { setTimeout(save, 3000); } });
  return saving;
}

let kept = {};
function exportXML() {
  return modeler.saveXML({ format: true }).then(({ xml }) => restoreLoopRefs(xml, kept));
}
window.wegwijsExport = exportXML;

let timer = null;
modeler.on('commandStack.changed', () => {
  dirty = true;
  say('Niet opgeslagen wijzigingen…', 'dirty');
  exportXML().then((xml) => localStorage.setItem(storageKey, JSON.stringify({ revision, xml })));
  clearTimeout(timer);
  timer = setTimeout(save, 1500);
});
window.addEventListener('beforeunload', (event) => {
  if (dirty || saving) { event.preventDefault(); event.returnValue = ''; }
});
window.wegwijsSave = () => { dirty = true; clearTimeout(timer); return save() || Promise.resolve(); };

function markFindings() {
  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  const overlays = modeler.get('overlays');
  const badged = new Set();
  const errorsFirst = (config.findings || []).slice().sort((a, b) => (a.severity === 'error' ? -1 : 1) - (b.severity === 'error' ? -1 : 1));
  errorsFirst.forEach((finding) => {
    if (!finding.element_id || !registry.get(finding.element_id) || badged.has(finding.element_id)) { return; }
    badged.add(finding.element_id);
    canvas.addMarker(finding.element_id, finding.severity === 'error' ? 'finding-error' : 'finding-warning');
    const badge = document.createElement('span');
    badge.className = `finding-badge finding-badge-${finding.severity}`;
    badge.title = finding.message;
    badge.textContent = finding.severity === 'error' ? '!' : '?';
    overlays.add(finding.element_id, 'finding', { position: { top: -8, right: 8 }, html: badge });
  });
  (config.changes || []).forEach((change) => {
    if (registry.get(change.element_id)) { canvas.addMarker(change.element_id, `diff-${change.kind}`); }
  });
}

const stored = JSON.parse(localStorage.getItem(storageKey) || 'null');
const xml = document.getElementById('modeler-xml').textContent;
const start = stored && stored.revision === revision && stored.xml !== xml ? stored.xml : xml;
kept = loopRefs(start);
modeler.importXML(start)
  .then(({ warnings }) => {
    root.__definitions = modeler.getDefinitions();
    modeler.get('canvas').zoom('fit-viewport');
    markFindings();
    root.dataset.loaded = 'true';
    root.dataset.warnings = String(warnings.length);
    if (start !== xml) {
      dirty = true;
      say('Niet opgeslagen wijzigingen uit deze browser teruggezet; ze worden nu opgeslagen.', 'dirty');
      save();
    }
    document.querySelectorAll('[data-select-element]').forEach((link) => {
      link.addEventListener('click', (event) => {
        const element = modeler.get('elementRegistry').get(link.dataset.selectElement);
        if (!element) { return; }
        event.preventDefault();
        modeler.get('selection').select(element);
        modeler.get('canvas').scrollToElement(element);
        root.scrollIntoView({ behavior: 'smooth' });
      });
    });
  })
  .catch((err) => {
    root.dataset.loaded = 'error';
    say(`Het diagram kon niet worden geopend: ${err.message}`, 'error');
  });
