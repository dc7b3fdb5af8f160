export { LABS, findLab, labPagePath, STANDARD_TRAFFIC, type Lab, type Traffic } from './labs';
export { checksFor, scenariosShown, whatTracesShow, type Check } from './signatures';
export { judge, type Diagnosis, type Verdict } from './commands/answer';
export { mysteryScenario } from './commands/start';
export { loadWorkshopConfig, type WorkshopConfig } from './config';
export { readState, revealScenario, type LabState } from './state';
export { main } from './cli';
