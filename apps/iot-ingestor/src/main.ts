import 'reflect-metadata';
import { runService } from '@streamline/platform';
import { iotIngestorService } from './iot-ingestor.service';

void runService(iotIngestorService);
