export { type ApiAppFlows, createApiApp, lambdaApiApp } from './api-app.js';
