export * from './causes';
export * from './features';
export * from './prior';
export * from './calibration';
export * from './model';
export * from './score';
export * from './outcome';
