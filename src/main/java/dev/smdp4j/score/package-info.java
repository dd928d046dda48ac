/** What estimates grad log p_t: the score-model abstraction, the learned network's score, and the heat benchmark's closed forms. */
package dev.smdp4j.score;
