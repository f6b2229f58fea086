export * from './error-codes.js';
export * from './envelope.js';
export * from './claims.js';
export * from './check-access-claims.js';
export * from './compact-jws.js';
export * from './views.js';
