export { buildApp, type AppOptions } from './build-app.js';
export { createRuntime, openDatabase, type Runtime, type RuntimeOverrides } from './runtime.js';
export { createServices, type Services, type ServiceDeps } from './services.js';
export { parseConfig, ConfigError } from './config/parse-config.js';
export { loadConfig } from './config/load-config.js';
export { SETTINGS, type Config, type DialectName } from './config/settings.js';
export { AuthError, isAuthError } from './errors/auth-error.js';
export type { Clock } from './clock/clock.js';
