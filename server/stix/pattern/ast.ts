/** AST of a STIX 2.1 pattern (STIX 2.1 specification, section 9). */

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'timestamp'; value: string }
  | { kind: 'binary'; value: string }
  | { kind: 'hex'; value: string };

export type PathStep = { kind: 'prop'; name: string } | { kind: 'index'; index: number | '*' };

export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
  /** Character offset of the object type in the pattern. */
  pos: number;
}

export type ComparisonOperator =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type ComparisonExpression =
  | { kind: 'and' | 'or'; operands: ComparisonExpression[] }
  | {
      kind: 'test';
      path: ObjectPath;
      op: ComparisonOperator;
      negated: boolean;
      /** A list for IN, one literal otherwise. */
      value: Literal | Literal[];
      pos: number;
    }
  | { kind: 'exists'; path: ObjectPath; pos: number };

export type Qualifier =
  | { kind: 'within'; seconds: number; pos: number }
  | { kind: 'repeats'; times: number; pos: number }
  | { kind: 'startstop'; start: string; stop: string; pos: number };

export type ObservationExpression =
  | { kind: 'observation'; comparison: ComparisonExpression; qualifiers: Qualifier[]; pos: number }
  | { kind: 'group'; inner: ObservationExpression; qualifiers: Qualifier[]; pos: number }
  | { kind: 'and' | 'or' | 'followedby'; operands: ObservationExpression[] };
