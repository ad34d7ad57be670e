import 'reflect-metadata';
import { runService } from '@streamline/platform';
import { eventProducerService } from './event-producer.service';

void runService(eventProducerService);
