/** strata-broker: the package entry. The broker joins here once it exists; storage is usable today. */
export * from './storage/index';
