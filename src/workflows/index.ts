/** The workflows bundled for the worker. */
export { discrepancyWorkflow } from './discrepancy';
