export { main } from '../aws-sim-scale.js';
