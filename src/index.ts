// rete-eval as a library: compile rules into a RETE network, run facts through a session,
// or run a whole batch from files. Every public type is exported from here.

export { compileRules, compileRulesFile, evaluate, loadRules, readRulesDocument, FEATURES, type LoadedRules } from './engine.js';
export { runBatch, type RunOptions } from './pipeline.js';
export { Session, type SessionOptions, type SessionStats } from './rete/session.js';
export type { NodeMemoryStats } from './rete/beta.js';
export { compileNetwork, type Network } from './rete/network.js';
export { explainNetwork, formatExplain, type ExplainNode } from './rete/explain.js';
export { validateRules, type FeatureSupport, type RuleValidation } from './model/rules.js';
export { Fact, FactShape, decodeFact } from './model/fact.js';
export {
  FactReader,
  detectFormat,
  type InputFormat,
  type DetectedFormat,
  type Reject,
  type ReaderOptions,
  type ReaderStats,
  type ReaderInfo,
  type FileReadInfo,
} from './io/reader.js';
export { openSource, streamSource, type Source } from './io/source.js';
export { ruleReads, type RuleReads } from './model/reads.js';
export { firingLine, factLine, type ValueStyle } from './io/serialize.js';
export type { RunReport, StageTimes, NetworkSummary } from './report/report.js';
export {
  ExitCode,
  RuleEvalError,
  RuleFileError,
  FactError,
  InputError,
  UsageError,
  LimitError,
  type RuleIssue,
} from './model/errors.js';
export {
  FloatValue,
  DateValue,
  decodeValue,
  toTagged,
  valuesEqual,
  compareValues,
  parseRfc3339,
  type Value,
  type FieldMap,
} from './model/value.js';
export type {
  Rule,
  Condition,
  SimpleCondition,
  LogicalCondition,
  Pattern,
  Action,
  ActionKind,
  ActionResult,
  Firing,
  Operator,
  Severity,
  NotificationType,
} from './model/types.js';
export { OPERATORS } from './model/types.js';
export { CALCULATORS, getCalculator, type Calculator, type CalculatorOutcome } from './actions/calculators.js';
export { compileFormula, FormulaSyntaxError, type CompiledFormula, type FormulaOutcome } from './actions/formula/index.js';
