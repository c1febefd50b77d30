// rete-eval as a library: compile rules into a RETE network, run facts through a session,
// or run a whole batch from files. Every public type is exported from here.

export {
  checkRuleFiles,
  compileRuleFiles,
  compileRules,
  compileRulesFile,
  evaluate,
  loadRules,
  readRulesDocument,
  RULE_CHECKS,
  type LoadedRules,
  type RuleFilesCheck,
  type RuleFilesOptions,
  type RulesFormatOption,
} from './engine.js';
export { detectRulesFormat, RULES_FORMATS, type RulesFormat } from './jre/detect.js';
export { translateJreRules, type JreTranslateOptions } from './jre/translate.js';
export { runBatch, StreamRun, type RunOptions, type StreamRunOptions, type LineSink } from './pipeline.js';
export { Session, type SessionOptions, type SessionStats } from './rete/session.js';
export type { RunPlan } from './rete/session-plan.js';
export type { NodeMemoryStats } from './rete/beta-network.js';
export { compileNetwork, type Network } from './rete/network.js';
export { explainNetwork, formatExplain, type ExplainNode } from './rete/explain.js';
export { validateRules, type RuleChecks, type RuleValidation, type ValidationOptions } from './model/rules.js';
export { Fact, FactShape, decodeFact, FIRST_CREATED_ID } from './model/fact.js';
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
  type BatchRecords,
} from './io/reader.js';
export { openSource, streamSource, type Source } from './io/source.js';
export { analyzePartition, partitionSignature, type Partition, type KeyClass, type KeySource, type PartitionProblem } from './shard/partition.js';
export { splitInput, type SplitOptions, type SplitReport } from './shard/split.js';
export { mergeOutputs, type MergeOptions, type MergeResult } from './shard/merge.js';
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
  RejectLimitError,
  PartitionError,
  formatIssue,
  EXIT_CODE_MEANINGS,
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
  ActionValue,
  FieldRef,
  ActionResult,
  Firing,
  Operator,
  Severity,
  NotificationType,
  JreCondition,
  JreFactRead,
  JreOperator,
  JreEvent,
} from './model/types.js';
export { OPERATORS, JRE_OPERATORS } from './model/types.js';
export { CALCULATORS, getCalculator, type Calculator, type CalculatorOutcome } from './actions/calculators.js';
export { compileFormula, FormulaSyntaxError, type CompiledFormula, type FormulaOutcome } from './actions/formula/index.js';
