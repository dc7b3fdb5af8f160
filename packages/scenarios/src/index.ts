export { SCENARIOS, SCENARIO_NAMES, isScenarioName, scenariosOf, scenarioFor, describeScenario } from './registry';
export type { ScenarioName, ScenarioOf, ScenarioService, ScenarioSpec } from './registry';
