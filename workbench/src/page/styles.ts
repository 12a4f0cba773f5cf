/** The workbench's own layout (the extensions' components are styled by ./components). */
export const workbenchStyles = `
* { box-sizing: border-box; }
body { margin: 0; background: #f5f8fa; color: #33475b; font: 14px/1.5 "Lexend Deca", Helvetica, Arial, sans-serif; }
button, input, select, textarea { font: inherit; }
.wb-loading, .wb-failure { padding: 24px; }
.wb-failure { color: #b3001e; }
.wb-header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 10px 20px; background: #2d3e50; color: #fff; }
.wb-header h1 { font-size: 18px; margin: 0; }
.wb-subtitle { color: #cbd6e2; font-size: 12px; }
.wb-header .wb-tab { color: #fff; border-color: #516f90; background: transparent; }
.wb-header .wb-tab-on { background: #ff7a59; border-color: #ff7a59; }
.wb-user select { margin-left: 6px; max-width: 320px; }
.wb-faults { display: flex; gap: 14px; margin-left: auto; }
.wb-tabs { display: flex; gap: 4px; flex-wrap: wrap; }
.wb-tab { border: 1px solid #cbd6e2; background: #fff; color: #33475b; padding: 4px 12px; border-radius: 3px; cursor: pointer; }
.wb-tab-on { background: #eaf0f6; border-color: #7c98b6; font-weight: 600; }
.wb-alerts { position: fixed; right: 16px; top: 64px; z-index: 50; display: flex; flex-direction: column; gap: 8px; max-width: 380px; }
.wb-toast { background: #fff; border-left: 4px solid #0091ae; box-shadow: 0 2px 8px rgba(45,62,80,.25); padding: 10px 32px 10px 12px; position: relative; }
.wb-toast-success { border-color: #00bda5; } .wb-toast-warning { border-color: #f5c26b; } .wb-toast-danger, .wb-toast-error { border-color: #f2545b; }
.wb-toast button { position: absolute; right: 6px; top: 4px; border: 0; background: none; cursor: pointer; font-size: 16px; }
.wb-main { display: grid; grid-template-columns: minmax(220px, 1fr) minmax(560px, 2.4fr) minmax(420px, 1.8fr); gap: 16px; padding: 16px; align-items: start; }
.wb-column { background: #fff; border: 1px solid #dfe3eb; border-radius: 4px; padding: 12px; min-width: 0; }
.wb-column > h2 { font-size: 16px; margin: 0 0 8px; }
.wb-board h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #516f90; margin: 12px 0 4px; }
.wb-stage { margin-bottom: 8px; }
.wb-stage-name { font-size: 12px; font-weight: 600; color: #516f90; }
.wb-count { color: #7c98b6; font-weight: 400; }
.wb-stage ul { list-style: none; margin: 2px 0 0; padding: 0; }
.wb-deal { display: flex; flex-wrap: wrap; gap: 0 8px; width: 100%; text-align: left; border: 1px solid #dfe3eb; background: #fff; border-radius: 3px; padding: 4px 8px; margin-bottom: 3px; cursor: pointer; }
.wb-deal:hover { border-color: #7c98b6; }
.wb-deal-on { border-color: #ff7a59; box-shadow: 0 0 0 1px #ff7a59; }
.wb-deal-name { flex: 1 1 100%; font-weight: 500; }
.wb-deal-amount, .wb-deal-status { font-size: 12px; color: #516f90; }
.wb-record-layout { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 16px; align-items: start; }
.wb-deal-title { font-size: 18px; margin: 0 0 4px; }
.wb-move { display: flex; flex-wrap: wrap; gap: 4px; margin: 8px 0; }
.wb-move button, .wb-actions button, .wb-books button, .wb-lifecycle button, .wb-confirm button, .wb-restore { border: 1px solid #cbd6e2; background: #fff; color: #33475b; border-radius: 3px; padding: 2px 8px; cursor: pointer; font-size: 12px; }
.wb-move button:disabled, .wb-actions button:disabled, .wb-books button:disabled, .wb-lifecycle button:disabled, .wb-confirm button:disabled, .wb-restore:disabled { color: #b0c1d4; cursor: default; }
.wb-lifecycle { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 4px 0 8px; font-size: 12px; }
.wb-lifecycle select { margin-left: 6px; max-width: 240px; font-size: 12px; }
.wb-lifecycle .wb-danger, .wb-confirm .wb-danger { color: #b3001e; border-color: #f2545b; }
.wb-confirm { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 0 0 8px; padding: 6px 8px; font-size: 12px; background: #fdedee; border-left: 4px solid #f2545b; }
.wb-deleted { color: #516f90; font-style: italic; }
.wb-recycle ul { list-style: none; margin: 2px 0 0; padding: 0; }
.wb-recycle li { display: flex; gap: 4px; align-items: stretch; }
.wb-deal-deleted { color: #7c98b6; text-decoration: line-through; }
.wb-restore { margin-bottom: 3px; }
.wb-record-body h3 { font-size: 13px; margin: 14px 0 4px; color: #516f90; }
.wb-properties { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; font-size: 12px; }
.wb-properties div { display: contents; }
.wb-properties dt { color: #7c98b6; }
.wb-properties dd { margin: 0; word-break: break-word; }
.wb-timeline { list-style: none; padding: 0; margin: 0; font-size: 12px; }
.wb-timeline li { border-left: 2px solid #cbd6e2; padding: 4px 8px; margin-bottom: 4px; }
.wb-task { border-color: #f5c26b !important; }
.wb-when { color: #7c98b6; margin-right: 6px; }
.wb-sidebar { position: sticky; top: 8px; }
.wb-card-frame { border: 1px solid #cbd6e2; border-radius: 4px; background: #fff; }
.wb-card-title { font-weight: 600; padding: 8px 12px; border-bottom: 1px solid #dfe3eb; background: #f5f8fa; }
.wb-extension { padding: 12px; }
.wb-settings { max-width: 960px; margin: 16px auto; background: #fff; border: 1px solid #dfe3eb; border-radius: 4px; }
.wb-hint { color: #7c98b6; font-size: 12px; }
.wb-problem { color: #b3001e; font-size: 12px; }
.wb-outcome { color: #00806e; font-size: 12px; }
.wb-books { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 8px; font-size: 12px; }
.wb-books input { margin-left: 6px; }
.wb-table { width: 100%; border-collapse: collapse; font-size: 12px; margin-top: 8px; }
.wb-table th, .wb-table td { border-bottom: 1px solid #eaf0f6; padding: 4px 6px; text-align: left; vertical-align: middle; }
.wb-table th { color: #516f90; font-weight: 600; background: #f5f8fa; }
.wb-actions { white-space: nowrap; }
.wb-actions input { width: 70px; margin-right: 4px; font-size: 12px; }
`;
