export { completeValidation, createSpecValidator, markValidated, validated, type SpecOperation, type SpecValidator, type ValidatedRequest } from './spec-validator.js';
export { listRoutes, type RouteEntry } from './route-table.js';
