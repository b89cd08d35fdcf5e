/**
 * The states of a classic (JoinGroup/SyncGroup) group, as Kafka's GroupMetadata.scala defines them and
 * DescribeGroups / ListGroups report them:
 *  - Empty: no members; offsets may live on (a simple consumer's group is always Empty).
 *  - PreparingRebalance: members are (re)joining; JoinGroup responses wait for the join phase to end.
 *  - CompletingRebalance: the join phase ended; members wait for the leader's assignment (SyncGroup).
 *  - Stable: the leader's assignment is stored and handed out.
 *  - Dead: removed (deleted, or expired with no offsets left); never observed in the coordinator's table.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

/** For each state, the states it may be entered from (Kafka's validPreviousStates). */
const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export function isValidGroupStateTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}
