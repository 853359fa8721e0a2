export { createApp, rawBody, type AppDeps } from './app.js';
export { answerFor, HttpProblem, problemHandler, toProblem, type ProblemBody } from './problem.js';
export { loadOpenApiDocument, openApiPath } from './openapi-document.js';
export { operationsRoutes, type ReadinessCheck, type OperationsDeps } from './routes/operations.js';
export { startServer, type RunningServer } from './server.js';
