/** The routes of the group coordinator's APIs, for the broker's router table. */
import type { Route } from '../handler';
import { deleteGroupsRoute } from './delete-groups';
import { describeGroupsRoute } from './describe-groups';
import { findCoordinatorRoute } from './find-coordinator';
import { heartbeatRoute } from './heartbeat';
import { joinGroupRoute } from './join-group';
import { leaveGroupRoute } from './leave-group';
import { listGroupsRoute } from './list-groups';
import { offsetCommitRoute } from './offset-commit';
import { offsetDeleteRoute } from './offset-delete';
import { offsetFetchRoute } from './offset-fetch';
import { syncGroupRoute } from './sync-group';

export const groupRoutes: Route[] = [
  findCoordinatorRoute,
  joinGroupRoute,
  syncGroupRoute,
  heartbeatRoute,
  leaveGroupRoute,
  offsetCommitRoute,
  offsetFetchRoute,
  describeGroupsRoute,
  listGroupsRoute,
  deleteGroupsRoute,
  offsetDeleteRoute,
] as Route[];
