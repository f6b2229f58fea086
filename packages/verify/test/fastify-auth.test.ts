import { describeAdapter } from './helpers/adapter-conformance.js';
import { FRAMEWORK_APPS } from './helpers/framework-apps.js';

describeAdapter('Fastify', FRAMEWORK_APPS.Fastify);
