/**
 * The benchmark harness behind `strata bench` (and other systems' comparisons in bench/): workloads over the
 * embedded client, a latency histogram, throughput series, the result JSON and its text and HTML reports.
 *
 *   const result = await runProduce({ topic: 't', messages: 1e6, producers: 4 }, () => WireTransport.connect(host, port));
 *   console.log(summaryLines(result).join('\n'));
 *   writeJson('out.json', result);
 *   fs.writeFileSync('out.html', renderHtml(result));      // or renderHtml([strata, nats, redis])
 */
export { runBench, runConsume, runE2e, runProduce, resolveConfig, MESSAGE_SIZE_DEFAULT, MESSAGES_DEFAULT, SENDS_IN_FLIGHT_DEFAULT } from './workload';
export type { Phase, Progress, TransportFactory, TransportRole, WorkloadOptions } from './workload';
export { LatencyRecorder } from './latency-recorder';
export type { HistogramBucket, LatencySummary } from './latency-recorder';
export { SAMPLE_INTERVAL_MS, SHORT_RUN_MS, seriesIntervalMs, ThroughputSeries } from './throughput-series';
export type { IntervalSample } from './throughput-series';
export { environment, phaseTotals, RESULT_SCHEMA, resultJson, writeJson } from './bench-result';
export type { BenchConfig, BenchMode, BenchResult, PhaseTotals } from './bench-result';
export { ensureTopic, partitionOffsets, topicPartitionCount } from './topic-admin';
export { describeRun, formatInt, formatMb, formatMs, formatSeconds, progressLine, summaryLines } from './text-report';
export { escapeHtml, histogramSvg, lineChartSvg, renderHtml } from './html-report';
