import { describeAdapter } from './helpers/adapter-conformance.js';
import { FRAMEWORK_APPS } from './helpers/framework-apps.js';

describeAdapter('Koa', FRAMEWORK_APPS.Koa);
