/** The workflows bundled for the worker. */
export { discrepancyWorkflow } from './discrepancy';
export { transferWatch } from './transfer-watch';
export { returnWatch } from './return-watch';
export { receivingMatch } from './receiving-match';
export { mismatchSettle } from './mismatch-settle';
export { cycleCountPlanner } from './cycle-count-planner';
export { notificationDelivery } from './notification-delivery';
export { wmsErpReconcile } from './wms-erp-reconcile';
export { auditAnchor } from './audit-anchor';
