/**
 * The CSS for ./components.tsx, close to HubSpot's Canvas design system: Lexend Deca 14px, text #33475b, borders
 * #cbd6e2, orange (#ff7a59) primary actions. Every class starts with `hs-` so it cannot collide with the page's own.
 */
export const hostStyles = `
.hs-text, .hs-heading, .hs-alert, .hs-button, .hs-field, .hs-table, .hs-modal, .hs-panel, .hs-state, .hs-tile,
.hs-dl, .hs-list, .hs-placeholder, .hs-toggle, .hs-choice, .hs-fieldset, .hs-accordion, .hs-tabs, .hs-form {
  font-family: "Lexend Deca", Helvetica, Arial, sans-serif;
  font-size: 14px;
  color: #33475b;
  line-height: 1.5;
  box-sizing: border-box;
}
.hs-visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}

/* Text */
.hs-text { margin: 0 0 4px; overflow-wrap: anywhere; }
.hs-text--inline { display: inline; margin: 0; }
.hs-text--microcopy { font-size: 12px; color: #516f90; }
.hs-text--sentence { text-transform: lowercase; }
.hs-text--sentence::first-letter { text-transform: uppercase; }
.hs-heading { font-size: 16px; font-weight: 600; margin: 0 0 8px; color: #33475b; }
.hs-heading--inline { display: inline; }

/* Layout */
.hs-flex { display: flex; min-width: 0; }
.hs-box { min-width: 0; }
.hs-inline { display: flex; flex-direction: row; flex-wrap: wrap; }
.hs-auto-grid { display: grid; }
.hs-center { display: flex; justify-content: center; align-items: center; }
.hs-media { display: flex; gap: 8px; }
.hs-media__body { flex: 1 1 auto; min-width: 0; }
.hs-divider { border: 0; border-top: 1px solid #dfe3eb; width: 100%; }
.hs-tile { border: 1px solid #cbd6e2; border-radius: 4px; padding: 16px; background: #fff; }
.hs-tile--compact { padding: 8px; }
.hs-tile--flush { padding: 0; }
.hs-button-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }

/* Buttons */
.hs-button {
  display: inline-flex; align-items: center; justify-content: center; gap: 6px;
  border-radius: 3px; border: 1px solid transparent; cursor: pointer; font-weight: 500; text-decoration: none;
  padding: 8px 16px; min-height: 36px; line-height: 1.2; white-space: nowrap; transition: background-color .15s, border-color .15s;
}
.hs-button--xs { padding: 3px 8px; min-height: 24px; font-size: 12px; }
.hs-button--sm { padding: 5px 12px; min-height: 30px; font-size: 13px; }
.hs-button--truncate .hs-button__text { overflow: hidden; text-overflow: ellipsis; max-width: 200px; }
.hs-button--primary { background: #ff7a59; border-color: #ff7a59; color: #fff; }
.hs-button--primary:hover:not(:disabled) { background: #ff8f73; border-color: #ff8f73; }
.hs-button--secondary { background: #fff; border-color: #cbd6e2; color: #ff7a59; }
.hs-button--secondary:hover:not(:disabled) { background: #fff8f6; border-color: #ff7a59; }
.hs-button--destructive { background: #f2545b; border-color: #f2545b; color: #fff; }
.hs-button--destructive:hover:not(:disabled) { background: #f47277; border-color: #f47277; }
.hs-button--transparent { background: transparent; border-color: transparent; color: #0091ae; padding-left: 4px; padding-right: 4px; }
.hs-button--transparent:hover:not(:disabled) { text-decoration: underline; }
.hs-button:disabled { cursor: not-allowed; background: #eaf0f6; border-color: #cbd6e2; color: #b0c1d4; }
.hs-button--loading:disabled { color: #516f90; }
.hs-button:focus-visible, .hs-link:focus-visible, .hs-input:focus-visible, .hs-close:focus-visible {
  outline: 2px solid #0091ae; outline-offset: 1px;
}
.hs-link { color: #0091ae; text-decoration: none; font-weight: 500; cursor: pointer; }
.hs-link:hover { text-decoration: underline; }
.hs-link--destructive { color: #f2545b; }
.hs-link--light { color: #fff; }
.hs-link--dark { color: #33475b; }
.hs-link--button { background: none; border: 0; padding: 0; font: inherit; color: #0091ae; }
.hs-image-button { background: none; border: 0; padding: 0; cursor: pointer; }
.hs-image { max-width: 100%; }

/* Spinner */
@keyframes hs-spin { to { transform: rotate(360deg); } }
.hs-spinner {
  display: inline-block; width: 20px; height: 20px; border-radius: 50%;
  border: 2px solid #cbd6e2; border-top-color: #ff7a59; animation: hs-spin .8s linear infinite; flex: none;
}
.hs-spinner--xs { width: 12px; height: 12px; }
.hs-spinner--sm { width: 20px; height: 20px; }
.hs-spinner--md { width: 32px; height: 32px; border-width: 3px; }
.hs-loading { display: inline-flex; align-items: center; gap: 8px; color: #516f90; }
.hs-loading--centered { display: flex; justify-content: center; width: 100%; padding: 16px 0; }

/* Alerts */
.hs-alert {
  display: flex; gap: 10px; border: 1px solid #cbd6e2; border-left-width: 4px; border-radius: 3px;
  padding: 10px 14px; margin: 0 0 8px; background: #f5f8fa;
}
.hs-alert__icon {
  flex: none; width: 18px; height: 18px; border-radius: 50%; color: #fff; font-size: 11px; font-weight: 700;
  display: inline-flex; align-items: center; justify-content: center; margin-top: 1px;
}
.hs-alert__body { min-width: 0; flex: 1 1 auto; }
.hs-alert__title { font-weight: 600; }
.hs-alert__content { margin-top: 2px; }
.hs-alert__content > .hs-text:last-child { margin-bottom: 0; }
.hs-alert--info { border-color: #7fd1de; border-left-color: #0091ae; background: #e5f5f8; }
.hs-alert--info .hs-alert__icon { background: #0091ae; }
.hs-alert--tip { border-color: #b9c7d7; border-left-color: #7c98b6; background: #f5f8fa; }
.hs-alert--tip .hs-alert__icon { background: #7c98b6; }
.hs-alert--success { border-color: #7fded2; border-left-color: #00bda5; background: #e5f8f6; }
.hs-alert--success .hs-alert__icon { background: #00bda5; }
.hs-alert--warning { border-color: #fae0b5; border-left-color: #f5c26b; background: #fef8f0; }
.hs-alert--warning .hs-alert__icon { background: #f5c26b; color: #33475b; }
.hs-alert--danger, .hs-alert--error { border-color: #f8a9ad; border-left-color: #f2545b; background: #fde5e5; }
.hs-alert--danger .hs-alert__icon, .hs-alert--error .hs-alert__icon { background: #f2545b; }

/* Tags */
.hs-status-tag { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; vertical-align: middle; }
.hs-status-tag__button { display: inline-flex; align-items: center; gap: 6px; background: none; border: 0; padding: 0; font: inherit; color: inherit; cursor: pointer; }
.hs-status-tag__dot { width: 8px; height: 8px; border-radius: 50%; flex: none; background: #7c98b6; border: 2px solid #7c98b6; box-sizing: border-box; }
.hs-status-tag--success .hs-status-tag__dot { background: #00bda5; border-color: #00bda5; }
.hs-status-tag--warning .hs-status-tag__dot { background: #f5c26b; border-color: #f5c26b; }
.hs-status-tag--danger .hs-status-tag__dot { background: #f2545b; border-color: #f2545b; }
.hs-status-tag--info .hs-status-tag__dot { background: #0091ae; border-color: #0091ae; }
.hs-status-tag--hollow .hs-status-tag__dot { background: transparent; }
.hs-status-tag__remove { background: none; border: 0; padding: 0 2px; cursor: pointer; color: #7c98b6; font-size: 14px; }
.hs-tag {
  display: inline-flex; align-items: center; border: 1px solid #cbd6e2; border-radius: 3px; padding: 0 8px;
  font-size: 12px; line-height: 20px; background: #f5f8fa; color: #33475b; font-family: inherit;
}
.hs-tag--clickable { cursor: pointer; }
.hs-tag--success { background: #e5f8f6; border-color: #7fded2; }
.hs-tag--warning { background: #fef8f0; border-color: #fae0b5; }
.hs-tag--error { background: #fde5e5; border-color: #f8a9ad; }
.hs-tag--info { background: #e5f5f8; border-color: #7fd1de; }
.hs-icon { display: inline-block; line-height: 1; }
.hs-icon--sm { font-size: 12px; }
.hs-icon--lg { font-size: 20px; }

/* Empty and error states */
.hs-state { display: flex; flex-direction: column; align-items: center; text-align: center; gap: 8px; padding: 24px 16px; }
.hs-state--flush { padding: 0; }
.hs-state--horizontal { flex-direction: row; text-align: left; align-items: flex-start; }
.hs-state--horizontal.hs-state--reverse { flex-direction: row-reverse; }
.hs-state__image {
  width: 56px; height: 56px; border-radius: 50%; background: #eaf0f6; color: #7c98b6; font-size: 26px;
  display: flex; align-items: center; justify-content: center; flex: none;
}
.hs-state__image--error { background: #fde5e5; color: #f2545b; font-weight: 700; }
.hs-state__title { font-size: 16px; font-weight: 600; margin: 0 0 4px; }

/* Description list and list */
.hs-dl { margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 12px 24px; }
.hs-dl--column { flex-direction: column; gap: 8px; }
.hs-dl__item { min-width: 0; }
.hs-dl__label { font-size: 12px; color: #516f90; font-weight: 500; text-transform: uppercase; letter-spacing: .02em; }
.hs-dl__value { margin: 2px 0 0; }
.hs-list { margin: 0 0 8px; padding: 0; }
.hs-list--unordered, .hs-list--ordered { list-style: none; }
.hs-list--unordered-styled { list-style: disc; padding-left: 20px; }
.hs-list--ordered-styled { list-style: decimal; padding-left: 20px; }
.hs-list--inline, .hs-list--inline-divided { list-style: none; display: flex; flex-wrap: wrap; gap: 8px; }
.hs-list--inline-divided > .hs-list__item + .hs-list__item { border-left: 1px solid #cbd6e2; padding-left: 8px; }
.hs-list__item { margin: 2px 0; }

/* Tables */
.hs-table-wrap { overflow-x: auto; margin: 0 0 8px; }
.hs-table { border-collapse: collapse; width: 100%; background: #fff; }
.hs-table--bordered { border: 1px solid #cbd6e2; }
.hs-table--bordered .hs-table__cell, .hs-table--bordered .hs-table__header { border-bottom: 1px solid #dfe3eb; }
.hs-table__header {
  background: #f5f8fa; font-size: 12px; font-weight: 600; text-transform: uppercase; text-align: left;
  padding: 10px 12px; border-bottom: 1px solid #cbd6e2; white-space: nowrap;
}
.hs-table__cell { padding: 10px 12px; vertical-align: top; }
.hs-table--condensed .hs-table__cell, .hs-table--condensed .hs-table__header { padding: 6px 10px; }
.hs-table--compact .hs-table__cell, .hs-table--compact .hs-table__header { padding: 3px 8px; }
.hs-table__foot .hs-table__cell { font-weight: 600; background: #f5f8fa; }
.hs-table__sort { background: none; border: 0; padding: 0; font: inherit; color: inherit; text-transform: inherit; cursor: pointer; }
.hs-pagination { display: flex; gap: 4px; justify-content: center; align-items: center; margin-top: 8px; }
.hs-pagination__button {
  background: none; border: 1px solid transparent; border-radius: 3px; padding: 2px 8px; cursor: pointer;
  color: #0091ae; font: inherit; font-size: 13px;
}
.hs-pagination__button:disabled { color: #b0c1d4; cursor: not-allowed; }
.hs-pagination__button--current { border-color: #cbd6e2; color: #33475b; font-weight: 600; }

/* Form fields */
.hs-form { display: block; }
.hs-field { display: flex; flex-direction: column; gap: 4px; margin: 0 0 12px; min-width: 0; }
.hs-field__label { font-weight: 600; font-size: 14px; }
.hs-field__required { color: #f2545b; }
.hs-field__tooltip { color: #7c98b6; cursor: help; }
.hs-field__description { font-size: 12px; color: #516f90; }
.hs-field__message { font-size: 12px; color: #516f90; }
.hs-field__message--error { color: #d94c53; }
.hs-input {
  font: inherit; color: #33475b; background: #f5f8fa; border: 1px solid #cbd6e2; border-radius: 3px;
  padding: 8px 10px; min-height: 36px; width: 100%; box-sizing: border-box;
}
.hs-input:focus { border-color: #00a4bd; background: #fff; box-shadow: 0 0 4px 1px rgba(0,208,228,.3); outline: none; }
.hs-input[readonly], .hs-input:disabled { background: #eaf0f6; color: #516f90; cursor: not-allowed; }
.hs-input--error { border-color: #f2545b; }
.hs-textarea { min-height: 72px; resize: vertical; }
.hs-select { cursor: pointer; }
.hs-select--multiple { min-height: 72px; padding: 4px; }
.hs-select--transparent { background: transparent; border-color: transparent; }
.hs-number { display: flex; align-items: center; gap: 4px; }
.hs-fieldset { border: 0; padding: 0; margin: 0 0 12px; }
.hs-fieldset > legend { padding: 0; margin-bottom: 4px; }
.hs-toggle-group { display: flex; flex-direction: column; gap: 4px; }
.hs-toggle-group--inline { flex-direction: row; flex-wrap: wrap; gap: 16px; }
.hs-choice { display: flex; align-items: flex-start; gap: 8px; margin: 0 0 6px; }
.hs-choice--inline { display: inline-flex; margin-right: 16px; }
.hs-choice input { margin-top: 3px; accent-color: #ff7a59; }
.hs-choice__label { cursor: pointer; }
.hs-choice__description { display: block; font-size: 12px; color: #516f90; }

/* Toggle (a checkbox drawn as a switch; the real input covers the track so it stays clickable) */
.hs-toggle { display: flex; flex-direction: row-reverse; justify-content: flex-end; align-items: center; gap: 10px; margin: 0 0 12px; }
.hs-toggle--top { flex-direction: column-reverse; align-items: flex-start; gap: 4px; }
.hs-toggle__label { font-weight: 500; cursor: pointer; }
.hs-toggle--top .hs-toggle__label { font-weight: 600; }
.hs-toggle__control { position: relative; display: inline-flex; align-items: center; gap: 6px; flex: none; }
.hs-toggle__input { position: absolute; left: 0; top: 0; width: 40px; height: 22px; margin: 0; opacity: 0; cursor: pointer; z-index: 1; }
.hs-toggle__input:disabled { cursor: not-allowed; }
.hs-toggle__track { position: relative; width: 40px; height: 22px; border-radius: 11px; background: #cbd6e2; transition: background .15s; flex: none; }
.hs-toggle__thumb { position: absolute; top: 2px; left: 2px; width: 18px; height: 18px; border-radius: 50%; background: #fff; transition: left .15s; box-shadow: 0 1px 2px rgba(0,0,0,.2); }
.hs-toggle__input:checked + .hs-toggle__track { background: #00bda5; }
.hs-toggle__input:checked + .hs-toggle__track .hs-toggle__thumb { left: 20px; }
.hs-toggle__input:disabled + .hs-toggle__track { opacity: .5; }
.hs-toggle__input:focus-visible + .hs-toggle__track { outline: 2px solid #0091ae; outline-offset: 2px; }
.hs-toggle__text { font-size: 11px; font-weight: 600; color: #516f90; min-width: 26px; }
.hs-toggle--xs .hs-toggle__text, .hs-toggle--sm .hs-toggle__text { display: none; }

/* Accordion, tabs, steps, statistics, progress */
.hs-accordion { margin: 0 0 8px; border-bottom: 1px solid #dfe3eb; }
.hs-accordion__toggle {
  display: flex; align-items: center; gap: 6px; width: 100%; background: none; border: 0; padding: 8px 0;
  font: inherit; font-weight: 600; color: #33475b; cursor: pointer; text-align: left;
}
.hs-accordion__toggle:disabled { color: #b0c1d4; cursor: not-allowed; }
.hs-accordion__caret { color: #0091ae; width: 12px; }
.hs-accordion__content { padding: 0 0 8px 18px; }
.hs-tabs__list { display: flex; gap: 4px; border-bottom: 1px solid #cbd6e2; margin-bottom: 12px; }
.hs-tabs__list--fill .hs-tabs__tab { flex: 1 1 0; }
.hs-tabs__tab {
  background: none; border: 0; border-bottom: 3px solid transparent; padding: 8px 12px; font: inherit;
  color: #516f90; cursor: pointer;
}
.hs-tabs__tab[aria-selected="true"] { color: #33475b; border-bottom-color: #ff7a59; font-weight: 600; }
.hs-tabs__tab:disabled { color: #b0c1d4; cursor: not-allowed; }
.hs-steps { display: flex; gap: 16px; list-style: none; padding: 0; margin: 0 0 8px; font-family: "Lexend Deca", Helvetica, Arial, sans-serif; font-size: 13px; color: #516f90; }
.hs-steps--vertical { flex-direction: column; gap: 6px; }
.hs-steps__step::before { content: "○ "; }
.hs-steps__step--done::before { content: "● "; color: #00bda5; }
.hs-steps__step--current { color: #33475b; font-weight: 600; }
.hs-steps__step--current::before { content: "◉ "; color: #ff7a59; }
.hs-statistics { display: flex; flex-wrap: wrap; gap: 24px; margin: 0 0 8px; font-family: "Lexend Deca", Helvetica, Arial, sans-serif; color: #33475b; }
.hs-statistics__label { font-size: 12px; color: #516f90; text-transform: uppercase; }
.hs-statistics__number { font-size: 24px; font-weight: 300; }
.hs-statistics__trend--green { color: #00a38d; }
.hs-statistics__trend--red { color: #d94c53; }
.hs-progress { margin: 0 0 8px; font-family: "Lexend Deca", Helvetica, Arial, sans-serif; font-size: 13px; color: #33475b; }
.hs-progress__head { display: flex; justify-content: space-between; margin-bottom: 4px; }
.hs-progress__track { height: 8px; border-radius: 4px; background: #eaf0f6; overflow: hidden; }
.hs-progress__bar { height: 100%; background: #0091ae; }
.hs-progress--success .hs-progress__bar { background: #00bda5; }
.hs-progress--warning .hs-progress__bar { background: #f5c26b; }
.hs-progress--danger .hs-progress__bar { background: #f2545b; }

/* Overlays */
.hs-overlay-root { position: relative; z-index: 1000; }
.hs-backdrop {
  position: fixed; inset: 0; background: rgba(45, 62, 80, .55); z-index: 1000;
  display: flex; align-items: flex-start; justify-content: center; padding: 64px 16px; overflow-y: auto;
}
.hs-backdrop--panel { display: block; padding: 0; }
.hs-close {
  background: none; border: 0; color: inherit; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px;
  border-radius: 3px; font-family: inherit;
}
.hs-close:hover { background: rgba(255,255,255,.15); }
.hs-modal {
  background: #fff; border-radius: 4px; box-shadow: 0 4px 24px rgba(45,62,80,.3); width: 100%; max-width: 600px;
  display: flex; flex-direction: column; max-height: calc(100vh - 128px);
}
.hs-modal--sm { max-width: 420px; }
.hs-modal--lg { max-width: 860px; }
.hs-modal__header, .hs-panel__header {
  display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 14px 20px;
  background: #00a4bd; color: #fff; border-radius: 4px 4px 0 0; flex: none;
}
.hs-modal--danger .hs-modal__header { background: #f2545b; }
.hs-modal__title, .hs-panel__title { margin: 0; font-size: 18px; font-weight: 500; color: #fff; }
.hs-modal__content, .hs-panel__content { display: flex; flex-direction: column; min-height: 0; flex: 1 1 auto; }
.hs-modal__body { padding: 20px; overflow-y: auto; flex: 1 1 auto; }
.hs-modal__footer, .hs-panel__footer {
  display: flex; align-items: center; gap: 8px; flex-wrap: wrap; padding: 12px 20px; border-top: 1px solid #dfe3eb; background: #f5f8fa; flex: none;
}
.hs-panel {
  position: fixed; top: 0; right: 0; bottom: 0; width: 480px; max-width: 100vw; background: #fff; z-index: 1001;
  box-shadow: -4px 0 24px rgba(45,62,80,.25); display: flex; flex-direction: column;
}
.hs-panel--md { width: 640px; }
.hs-panel--lg { width: 860px; }
.hs-panel__header { border-radius: 0; }
.hs-panel__body { padding: 20px; overflow-y: auto; flex: 1 1 auto; }
.hs-panel__section { padding: 0 0 16px; margin: 0 0 16px; border-bottom: 1px solid #dfe3eb; }
.hs-panel__section--flush { padding: 0; margin: 0; border-bottom: 0; }

/* Placeholder for a component the workbench does not draw */
.hs-placeholder { border: 2px dashed #f5c26b; background: #fef8f0; border-radius: 4px; padding: 8px 12px; margin: 0 0 8px; }
.hs-placeholder__title { font-size: 12px; font-weight: 600; color: #b5752c; font-family: Menlo, Consolas, monospace; }
.hs-placeholder__content { margin-top: 6px; }
`;
